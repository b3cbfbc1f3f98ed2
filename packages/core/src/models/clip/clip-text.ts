/**
 * CLIP's text tower, as huggingface/transformers `models/clip/modeling_clip.py`
 * (`CLIPTextEmbeddings`, `CLIPTextTransformer`) plus `CLIPModel.text_projection`: token +
 * position embeddings, causal self-attention, `final_layer_norm`, pooling at the end-of-text
 * position, projection.
 *
 * Pooling index (computed on the host from the ids, which are host data): transformers' rule —
 * legacy configs with `eos_token_id == 2` take the argmax of the ids (the end token has the
 * largest id in CLIP's vocabulary), otherwise the first position of `eos_token_id`. Where
 * transformers silently pools position 0 for a row without an end token, captune throws.
 * Positions after the end token (clip.tokenize pads with 0) cannot affect the pooled output
 * under the causal mask, so no padding mask is needed.
 */
import type { ClipTextConfig } from '../../checkpoint/clip-config.js';
import type { Engine } from '../../engine/engine.js';
import type { Tensor, Variable } from '../../engine/tensor.js';
import { CaptuneError } from '../../errors/captune-error.js';
import {
  clipActivation,
  loadEncoderLayers,
  loadLayerNorm,
  runEncoder,
  type ClipEncoderLayerWeights,
  type ClipLayerNorm,
} from './clip-encoder.js';
import type { ClipWeightLoader } from './clip-weights.js';

export type ClipTextOutput = {
  /** [B, T, C] after final_layer_norm (transformers' `last_hidden_state`). */
  readonly lastHiddenState: Tensor;
  /** [B, C] the end-of-text token's state (`pooler_output`). */
  readonly pooled: Tensor;
  /** [B, P] `text_projection(pooled)`. */
  readonly embeds: Tensor;
};

export interface ClipTextWeights {
  readonly tokenEmbedding: Variable; // [V, C]
  readonly positionEmbedding: Variable; // [maxPositions, C]
  readonly layers: readonly ClipEncoderLayerWeights[];
  readonly finalLayerNorm: ClipLayerNorm;
  readonly projection: Variable; // [P, C]
}

/** Causal additive mask [1, 1, T, T]: 0 on and below the diagonal, a large negative above. */
export function causalMask(e: Engine, t: number): Tensor {
  const data = new Float32Array(t * t);
  for (let i = 0; i < t; i++) for (let j = i + 1; j < t; j++) data[i * t + j] = -1e9;
  return e.tensor(data, [1, 1, t, t]); // [1, 1, T, T]
}

/** The pooling position of each row of ids (see the header for the rule). */
export function clipPoolIndices(ids: readonly ArrayLike<number>[], eosTokenId: number): number[] {
  return ids.map((row, r) => {
    if (eosTokenId === 2) {
      let best = 0;
      for (let i = 1; i < row.length; i++) if (row[i]! > row[best]!) best = i;
      return best;
    }
    for (let i = 0; i < row.length; i++) if (row[i] === eosTokenId) return i;
    throw new CaptuneError(
      `CLIP text: row ${r} of the token ids has no end-of-text token (id ${eosTokenId}); tokenize with clipTokenize`,
    );
  });
}

export class ClipText {
  private readonly act: (e: Engine, x: Tensor) => Tensor;

  constructor(
    private readonly engine: Engine,
    readonly config: ClipTextConfig,
    readonly projectionDim: number,
    readonly weights: ClipTextWeights,
  ) {
    this.act = clipActivation(config.activation, 'config.json: text_config');
  }

  /** Loads `text_model.*` and `text_projection.weight`. */
  static async load(
    engine: Engine,
    loader: ClipWeightLoader,
    config: ClipTextConfig,
    projectionDim: number,
  ): Promise<ClipText> {
    const c = config.hiddenSize;
    const pre = 'text_model';
    const weights: ClipTextWeights = {
      tokenEmbedding: await loader.load(`${pre}.embeddings.token_embedding.weight`, [
        config.vocabSize,
        c,
      ]),
      positionEmbedding: await loader.load(`${pre}.embeddings.position_embedding.weight`, [
        config.maxPositionEmbeddings,
        c,
      ]),
      layers: await loadEncoderLayers(loader, `${pre}.encoder`, config),
      finalLayerNorm: await loadLayerNorm(loader, `${pre}.final_layer_norm`, c),
      projection: await loader.load('text_projection.weight', [projectionDim, c]),
    };
    return new ClipText(engine, config, projectionDim, weights);
  }

  /** Checks host ids (rows of equal length ≤ max positions, ids in the vocabulary). */
  checkIds(ids: readonly ArrayLike<number>[]): void {
    const cfg = this.config;
    const t = ids[0]?.length ?? 0;
    if (ids.length === 0 || t === 0) throw new CaptuneError('CLIP text: no token ids given');
    if (t > cfg.maxPositionEmbeddings) {
      throw new CaptuneError(
        `CLIP text: ${t} tokens per row exceed max_position_embeddings ${cfg.maxPositionEmbeddings}`,
      );
    }
    ids.forEach((row, r) => {
      if (row.length !== t)
        throw new CaptuneError(`CLIP text: row ${r} has ${row.length} token ids, row 0 has ${t}`);
      for (let i = 0; i < t; i++) {
        const v = row[i]!;
        if (!Number.isInteger(v) || v < 0 || v >= cfg.vocabSize) {
          throw new CaptuneError(
            `CLIP text: row ${r} position ${i}: token id ${v} is outside the vocabulary (size ${cfg.vocabSize})`,
          );
        }
      }
    });
  }

  /**
   * ids int32 [B, T] on the device plus the pooling position of each row (host numbers, from
   * `clipPoolIndices` on the same ids).
   */
  forward(ids: Tensor, poolIndices: readonly number[]): ClipTextOutput {
    const e = this.engine;
    const w = this.weights;
    const cfg = this.config;
    const [b, t] = ids.shape as [number, number];
    if (
      ids.rank !== 2 ||
      ids.dtype !== 'int32' ||
      poolIndices.length !== b ||
      poolIndices.some((p) => p < 0 || p >= t)
    ) {
      throw new CaptuneError(
        `CLIP text: needs int32 ids [B, T] and B pooling positions in [0, T), got ${ids.dtype} [${ids.shape.join(', ')}] and ${poolIndices.length} positions`,
      );
    }
    const c = cfg.hiddenSize;
    return e.tidy(() => {
      const tok = e.gather(w.tokenEmbedding, ids); // [B, T, C]
      const pos = e.slice(w.positionEmbedding, [0, 0], [t, c]); // [T, C]
      const x = e.add(tok, pos); // [B, T, C]
      const h = runEncoder(e, x, w.layers, cfg, this.act, causalMask(e, t)); // [B, T, C]
      const lastHiddenState = e.layerNorm(
        h,
        w.finalLayerNorm.weight,
        w.finalLayerNorm.bias,
        cfg.layerNormEps,
      ); // [B, T, C]
      const rows = e.tensor(
        Int32Array.from(poolIndices, (p, i) => i * t + p),
        [b],
        'int32',
      ); // [B]
      const pooled = e.gather(e.reshape(lastHiddenState, [b * t, c]), rows); // [B, C]
      const embeds = e.linear(pooled, w.projection, null, { transposed: true }); // [B, P]
      return { lastHiddenState, pooled, embeds };
    });
  }

  /** Host ids [B][T] → outputs (uploads the ids, pools per `clipPoolIndices`). */
  encode(ids: readonly ArrayLike<number>[]): ClipTextOutput {
    this.checkIds(ids);
    const e = this.engine;
    const t = ids[0]!.length;
    const flat = new Int32Array(ids.length * t);
    ids.forEach((row, r) => flat.set(Array.from(row), r * t));
    const poolIndices = clipPoolIndices(ids, this.config.eosTokenId);
    return e.tidy(() => this.forward(e.tensor(flat, [ids.length, t], 'int32'), poolIndices));
  }
}
