/**
 * What every decoder family shares: input checks, position ids and the additive mask from the
 * host padding mask, token embedding lookup, the tied LM head, `step` (forward + logits) and
 * cache reordering. A family implements `forward` (embeddings → layers → final norm) only.
 * The LM head follows transformers' tied `lm_head` (`hidden · wteᵀ`, no bias).
 */
import { CaptuneError } from '../errors/captune-error.js';
import type { Engine } from '../engine/engine.js';
import type { Tensor, Variable } from '../engine/tensor.js';
import { checkPositions, prepareDecoderInputs, type DecoderInputs } from './decoder-inputs.js';
import { KvCache } from './kv-cache.js';
import type {
  DecoderForwardInput,
  DecoderForwardOutput,
  DecoderStepInput,
  DecoderStepOutput,
  FfnHook,
  LanguageDecoder,
  LanguageDecoderConfig,
} from './language-decoder.js';

/** A forward's inputs after checking: embeddings and the uploaded mask. */
export interface PreparedForward {
  /** [B, T, E] token embeddings (no positions). */
  readonly embeds: Tensor;
  readonly batch: number;
  readonly length: number;
  readonly past: KvCache | null;
  readonly inputs: DecoderInputs;
  /** Additive mask [B or 1, 1, T, Tpast + T] or null. */
  readonly mask: Tensor | null;
}

export abstract class DecoderBase implements LanguageDecoder {
  constructor(
    readonly engine: Engine,
    readonly config: LanguageDecoderConfig,
    readonly weights: readonly Variable[],
    /** [V, E] token embedding table. */
    protected readonly embedTable: Variable,
    /** [V, E] LM head (the embedding table when tied). */
    protected readonly lmHead: Variable,
  ) {}

  /** Family name for error messages ("GPT-2", "OPT"). */
  protected abstract readonly label: string;

  abstract forward(input: DecoderForwardInput): DecoderForwardOutput;

  embedTokens(ids: Tensor): Tensor {
    if (ids.dtype !== 'int32' || ids.rank !== 2) {
      throw new CaptuneError(`${this.label}: token ids must be int32 [B, T], got ${ids.dtype} [${ids.shape.join(', ')}]`);
    }
    return this.engine.gather(this.embedTable, ids); // [B, T, E]
  }

  logits(hidden: Tensor): Tensor {
    const e = this.engine;
    const E = this.config.embedSize;
    if (hidden.shape[hidden.rank - 1] !== E) {
      throw new CaptuneError(`${this.label}: the LM head reads [..., ${E}], got [${hidden.shape.join(', ')}]`);
    }
    const flat = e.reshape(hidden, [-1, E]); // [N, E]
    const logits = e.matmul(flat, this.lmHead, { transposeB: true }); // [N, V]
    return e.reshape(logits, [...hidden.shape.slice(0, -1), this.config.vocabSize]); // [..., V]
  }

  step(input: DecoderStepInput): DecoderStepOutput {
    const e = this.engine;
    let cache: KvCache | null = null;
    const kept = e.tidy(() => {
      const out = this.forward({ ...input, useCache: true }); // hidden [B, T, E]
      cache = out.cache!;
      const [b, t, c] = out.hidden.shape as [number, number, number];
      const last = () => e.reshape(e.slice(out.hidden, [0, t - 1, 0], [b, 1, c]), [b, c]); // [B, E]
      const logits = this.logits(input.logitsFor === 'all' ? out.hidden : last()); // [B, V] or [B, T, V]
      return { logits, layers: cache.layers };
    });
    return { logits: kept.logits, cache: cache! };
  }

  reorderCache(cache: KvCache, beamIndices: Tensor | Int32Array): KvCache {
    return cache.reorder(beamIndices);
  }

  dispose(): void {
    for (const w of this.weights) this.engine.dispose(w);
  }

  /** Checks the inputs, embeds ids, and uploads the mask. Call inside the forward's tidy. */
  protected prepare(input: DecoderForwardInput): PreparedForward {
    const e = this.engine;
    const { inputIds, inputsEmbeds } = input;
    if ((inputIds === undefined) === (inputsEmbeds === undefined)) {
      throw new CaptuneError(`${this.label}: pass exactly one of inputIds and inputsEmbeds`);
    }
    let embeds: Tensor;
    if (inputsEmbeds) {
      const E = this.config.embedSize;
      if (inputsEmbeds.dtype !== 'float32' || inputsEmbeds.rank !== 3 || inputsEmbeds.shape[2] !== E) {
        throw new CaptuneError(
          `${this.label}: inputsEmbeds must be float32 [B, T, ${E}], got ${inputsEmbeds.dtype} [${inputsEmbeds.shape.join(', ')}]`,
        );
      }
      embeds = inputsEmbeds;
    } else {
      embeds = this.embedTokens(inputIds!); // [B, T, E]
    }
    const [batch, length] = embeds.shape as [number, number, number];
    if (length === 0) throw new CaptuneError(`${this.label}: the input has no positions (T = 0)`);
    const past = input.cache ?? null;
    if (past) {
      if (past.disposed) throw new CaptuneError(`${this.label}: the KV cache passed in has been disposed`);
      if (past.batchSize !== batch || past.numLayers !== this.config.numLayers) {
        throw new CaptuneError(
          `${this.label}: the KV cache has ${past.batchSize} rows and ${past.numLayers} layers, the input has ${batch} rows and the model ${this.config.numLayers} layers`,
        );
      }
    }
    const inputs = prepareDecoderInputs({ batch, length, pastLength: past?.length ?? 0, attentionMask: input.attentionMask });
    checkPositions(inputs, this.config.maxPositions, this.label);
    const L = (past?.length ?? 0) + length;
    const mask = inputs.mask ? e.tensor(inputs.mask, [inputs.maskBatch, 1, length, L]) : null; // [B|1, 1, T, L]
    return { embeds, batch, length, past, inputs, mask };
  }

  /** Calls the FFN hook (when given) and checks it kept the shape. */
  protected ffn(hook: FfnHook | undefined, layer: number, ffnInput: Tensor, ffnOutput: Tensor): Tensor {
    if (!hook) return ffnOutput;
    const out = hook(layer, ffnInput, ffnOutput); // [B, T, C]
    const same = out.rank === ffnOutput.rank && out.shape.every((d, i) => d === ffnOutput.shape[i]);
    if (!same || out.dtype !== 'float32') {
      throw new CaptuneError(
        `${this.label}: the FFN hook of layer ${layer} returned ${out.dtype} [${out.shape.join(', ')}], expected float32 [${ffnOutput.shape.join(', ')}]`,
      );
    }
    return out;
  }

  /** int32 [B, T] position ids: `positions + offset`, padding rows at `padPosition`. */
  protected positionIds(p: PreparedForward, offset: number, padPosition: number): Tensor {
    const ids = p.inputs.positions.map((pos) => (pos < 0 ? padPosition : pos + offset));
    return this.engine.tensor(ids, [p.batch, p.length], 'int32'); // [B, T]
  }
}
