/**
 * The state of decoding a batch: the prompt (ids, and/or a prefix of embeddings), the KV cache
 * on the device, the padding mask on the host, and which original batch row each current row
 * decodes (beams and finished rows change the rows; `reorder` follows them).
 */
import { CaptuneError } from '../errors/captune-error.js';
import type { Engine } from '../engine/engine.js';
import type { Tensor } from '../engine/tensor.js';
import type { KvCache } from '../models/kv-cache.js';
import type { FfnHook, LanguageDecoder } from '../models/language-decoder.js';

/** What conditions the language model on an image (or anything else) during decoding. */
export interface Conditioning {
  /** [B, P, E] embeddings placed before the prompt (ClipCap, ReCap, SITTA). */
  readonly prefix?: Tensor;
  /**
   * The FFN hook for current rows that decode original batch rows `rows` (I-Tuning: gathers
   * the image features of those rows). Called again only when the mapping changes, outside
   * any `tidy`: the conditioning owns the tensors it makes and frees them.
   */
  ffnHook?(rows: Int32Array): FfnHook;
  /**
   * [B, V] added to every step's logits of the rows decoding each original batch row (a soft
   * lexical constraint: SITTA's `wordBias` raises its word prompt's tokens). Searches see the
   * biased logits, and the log-probs they report are those of the biased model.
   */
  readonly logitBias?: Tensor;
}

export interface DecodeSessionInput {
  readonly decoder: LanguageDecoder;
  /** Prompt ids per batch row (may be empty when a prefix is given). */
  readonly prompts: readonly (readonly number[])[];
  readonly conditioning?: Conditioning;
}

export class DecodeSession {
  readonly engine: Engine;
  readonly decoder: LanguageDecoder;
  readonly batchSize: number;
  private cache: KvCache | null = null;
  private masks: number[][] = [];
  /** Original batch row of each current row. */
  private rowMap: Int32Array;
  private hookRows: Int32Array | null = null;
  private hook: FfnHook | undefined;
  private biasRows: Int32Array | null = null;
  private bias: Tensor | null = null;

  constructor(private readonly input: DecodeSessionInput) {
    this.decoder = input.decoder;
    this.engine = input.decoder.engine;
    this.batchSize = input.prompts.length;
    if (this.batchSize === 0) throw new CaptuneError('decode: no prompts (need at least one row)');
    const prefix = input.conditioning?.prefix;
    if (prefix && (prefix.rank !== 3 || prefix.shape[0] !== this.batchSize)) {
      throw new CaptuneError(`decode: prefix must be [${this.batchSize}, P, E], got [${prefix.shape.join(', ')}]`);
    }
    const bias = input.conditioning?.logitBias;
    if (bias && (bias.rank !== 2 || bias.shape[0] !== this.batchSize || bias.shape[1] !== this.decoder.config.vocabSize)) {
      throw new CaptuneError(`decode: logitBias must be [${this.batchSize}, ${this.decoder.config.vocabSize}], got [${bias.shape.join(', ')}]`);
    }
    if (!prefix && input.prompts.some((p) => p.length === 0)) {
      throw new CaptuneError('decode: a prompt is empty and there is no prefix: give at least one token (e.g. the BOS id)');
    }
    const vocab = this.decoder.config.vocabSize;
    input.prompts.forEach((p, r) =>
      p.forEach((id) => {
        if (!Number.isInteger(id) || id < 0 || id >= vocab) throw new CaptuneError(`decode: prompt ${r} has token id ${id}, outside the vocabulary [0, ${vocab})`);
      }),
    );
    this.rowMap = Int32Array.from({ length: this.batchSize }, (_, i) => i);
  }

  get eosTokenId(): number {
    return this.decoder.config.eosTokenId;
  }

  get vocabSize(): number {
    return this.decoder.config.vocabSize;
  }

  /** The prompt ids of original batch row `row` (n-gram blocking counts them, as Hugging Face does). */
  prompt(row: number): readonly number[] {
    return this.input.prompts[row]!;
  }

  /** Current rows (original rows, beams, …). */
  get rows(): number {
    return this.rowMap.length;
  }

  /** Original batch row of each current row. */
  get originalRows(): Int32Array {
    return this.rowMap;
  }

  /** Positions seen so far (prefix + padded prompt + generated). */
  get length(): number {
    return this.cache?.length ?? 0;
  }

  /** Runs the prompt; returns logits [B, V] of its last position. */
  start(): Tensor {
    if (this.cache) throw new CaptuneError('DecodeSession.start: already started');
    const e = this.engine;
    const prompts = this.input.prompts;
    const prefix = this.input.conditioning?.prefix;
    const P = prefix ? prefix.shape[1]! : 0;
    const L = Math.max(...prompts.map((p) => p.length));
    const pad = this.decoder.config.padTokenId;
    // Left padding between the prefix and the prompt: [prefix | pads | prompt].
    const ids = new Int32Array(this.batchSize * L).fill(pad);
    this.masks = prompts.map((p, r) => {
      ids.set(p, r * L + (L - p.length));
      return [...new Array<number>(P).fill(1), ...new Array<number>(L - p.length).fill(0), ...new Array<number>(p.length).fill(1)];
    });
    const ffnHook = this.currentHook();
    const out = e.tidy(() => {
      let embeds: Tensor | null = L > 0 ? this.decoder.embedTokens(e.tensor(ids, [this.batchSize, L], 'int32')) : null; // [B, L, E]
      if (prefix) embeds = embeds ? e.concat([prefix, embeds], 1) : prefix; // [B, P + L, E]
      const step = this.decoder.step({ inputsEmbeds: embeds!, attentionMask: this.masks, cache: null, ffnHook });
      return { logits: this.biased(step.logits), cache: step.cache };
    });
    this.cache = out.cache;
    return out.logits; // [B, V]
  }

  /** Feeds one token per current row; returns logits [rows, V]. */
  feed(tokens: Int32Array): Tensor {
    if (!this.cache) throw new CaptuneError('DecodeSession.feed: call start() first');
    if (tokens.length !== this.rows) throw new CaptuneError(`DecodeSession.feed: ${tokens.length} tokens for ${this.rows} rows`);
    const e = this.engine;
    for (const m of this.masks) m.push(1);
    const old = this.cache;
    const ffnHook = this.currentHook();
    const out = e.tidy(() => {
      const step = this.decoder.step({
        inputIds: e.tensor(tokens, [tokens.length, 1], 'int32'),
        attentionMask: this.masks,
        cache: old,
        ffnHook,
      });
      return { logits: this.biased(step.logits), cache: step.cache };
    });
    this.cache = out.cache;
    old.dispose();
    return out.logits; // [rows, V]
  }

  /** Keeps current rows `rows` (indices into the current rows; may repeat or drop rows). */
  reorder(rows: Int32Array): void {
    if (!this.cache) throw new CaptuneError('DecodeSession.reorder: call start() first');
    if (rows.length === this.rows && rows.every((r, i) => r === i)) return;
    const old = this.cache;
    this.cache = this.decoder.reorderCache(old, rows);
    old.dispose();
    this.masks = Array.from(rows, (r) => [...this.masks[r]!]);
    this.rowMap = Int32Array.from(rows, (r) => this.rowMap[r]!);
  }

  /** logits [rows, V] plus the logit bias of each row's original batch row (inside a tidy). */
  private biased(logits: Tensor): Tensor {
    const all = this.input.conditioning?.logitBias;
    if (!all) return logits;
    const e = this.engine;
    const identity = this.rowMap.length === this.batchSize && this.rowMap.every((r, i) => r === i);
    if (identity) return e.add(logits, all);
    if (!sameRows(this.biasRows, this.rowMap)) {
      if (this.bias) e.dispose(this.bias);
      this.bias = e.keep(e.gather(all, e.tensor(this.rowMap, [this.rowMap.length], 'int32'))); // [rows, V]
      this.biasRows = this.rowMap.slice();
    }
    return e.add(logits, this.bias!);
  }

  private currentHook(): FfnHook | undefined {
    const make = this.input.conditioning?.ffnHook;
    if (!make) return undefined;
    if (!sameRows(this.hookRows, this.rowMap)) {
      this.hook = make.call(this.input.conditioning, this.rowMap);
      this.hookRows = this.rowMap.slice();
    }
    return this.hook;
  }

  dispose(): void {
    this.cache?.dispose();
    this.cache = null;
    if (this.bias) this.engine.dispose(this.bias);
    this.bias = null;
    this.biasRows = null;
  }
}

/** Whether a cached row mapping `a` is still the current one `b`. */
function sameRows(a: Int32Array | null, b: Int32Array): boolean {
  return a !== null && a.length === b.length && a.every((r, i) => r === b[i]);
}
