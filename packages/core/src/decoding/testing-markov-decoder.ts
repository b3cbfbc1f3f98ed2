/**
 * A tiny LanguageDecoder for testing decoding strategies in isolation: a Markov chain whose
 * next-token logits are row `last token` of a fixed table. It keeps a real KV cache (the
 * one-hot inputs) so cache reordering is exercised exactly as with a transformer.
 */
import type { Engine } from '../engine/engine.js';
import type { Tensor, Variable } from '../engine/tensor.js';
import { KvCache } from '../models/kv-cache.js';
import type { DecoderForwardInput, DecoderForwardOutput, DecoderStepInput, DecoderStepOutput, LanguageDecoder, LanguageDecoderConfig } from '../models/language-decoder.js';
import { Rng } from '../random/rng.js';

export class MarkovDecoder implements LanguageDecoder {
  readonly config: LanguageDecoderConfig;
  readonly weights: Variable[];
  private readonly table: Variable; // [V, V] logits of the next token given the last one

  constructor(
    readonly engine: Engine,
    vocab: number,
    seed: number,
    eos = vocab - 1,
  ) {
    const rng = new Rng(seed);
    this.table = engine.variable(engine.tensor(rng.normalArray(vocab * vocab, 2), [vocab, vocab]), { trainable: false, name: 'table' });
    this.weights = [this.table];
    this.config = { modelType: 'markov', vocabSize: vocab, hiddenSize: vocab, embedSize: vocab, numLayers: 1, numHeads: 1, maxPositions: 1024, bosTokenId: 0, eosTokenId: eos, padTokenId: eos };
  }

  /** Host copy of the table's log-softmax rows, for checking scores. */
  async logprobTable(): Promise<Float32Array> {
    const e = this.engine;
    const t = e.tidy(() => e.logSoftmax(this.table));
    const out = (await e.read(t)) as Float32Array;
    e.dispose(t);
    return out;
  }

  embedTokens(ids: Tensor): Tensor {
    return this.engine.oneHot(ids, this.config.vocabSize); // [B, T, V]
  }

  forward(input: DecoderForwardInput): DecoderForwardOutput {
    const e = this.engine;
    const x = input.inputsEmbeds ?? this.embedTokens(input.inputIds!); // [B, T, V]
    const [b, t, v] = x.shape as [number, number, number];
    const kv = e.reshape(x, [b, 1, t, v]); // [B, 1, T, V]
    const layer = KvCache.extend(e, input.cache?.layer(0), kv, kv);
    // Padding mask: a pad position's "hidden" is its input; the last real token decides.
    return { hidden: x, cache: input.useCache === false ? null : KvCache.fromLayers(e, [layer]) };
  }

  logits(hidden: Tensor): Tensor {
    const e = this.engine;
    const v = this.config.vocabSize;
    const lead = hidden.shape.slice(0, -1);
    return e.reshape(e.matmul(e.reshape(hidden, [-1, v]), this.table), [...lead, v]);
  }

  step(input: DecoderStepInput): DecoderStepOutput {
    const e = this.engine;
    return e.tidy(() => {
      const out = this.forward({ ...input, useCache: true });
      const [b, t, v] = out.hidden.shape as [number, number, number];
      const logits = this.logits(e.reshape(e.slice(out.hidden, [0, t - 1, 0], [b, 1, v]), [b, v])); // [B, V]
      return { logits, cache: out.cache! };
    });
  }

  reorderCache(cache: KvCache, idx: Tensor | Int32Array): KvCache {
    return cache.reorder(idx);
  }

  dispose(): void {
    this.engine.dispose(this.table);
  }
}
