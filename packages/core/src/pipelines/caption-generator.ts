/**
 * Captions for images from their features: batches of features → the adapter's conditioning →
 * a DecodeSession prompted with [BOS] (as in training) → a search strategy → text. Used by
 * validation (greedy), `captune eval` and `captune caption` (beam 5 by default).
 */
import type { CaptionAdapter, VisualFeatures } from '../adapters/caption-adapter.js';
import { DecodeSession } from '../decoding/decode-session.js';
import type { DecodedSequence, DecodeOptions, DecoderSearch } from '../decoding/decoder-search.js';
import type { LanguageDecoder } from '../models/language-decoder.js';
import type { Tokenizer } from '../tokenizers/tokenizer.js';
import { disposeFeatures, loadFeatureBatch, type FeatureKind } from './feature-batch.js';
import type { FeatureSource } from './feature-source.js';

export interface GeneratedCaption {
  readonly id: string;
  readonly caption: string;
  /** Generated ids without the ending EOS / stop token. */
  readonly tokens: number[];
  readonly score: number;
}

export interface CaptionGeneratorOptions {
  readonly decoder: LanguageDecoder;
  /** null: the frozen LM alone, prompted with BOS (the no-adapter baseline). */
  readonly adapter: CaptionAdapter | null;
  readonly tokenizer: Pick<Tokenizer, 'decode'>;
  readonly search: DecoderSearch;
  readonly options: DecodeOptions;
  /** Images decoded together. @default 16 */
  readonly batchSize?: number;
}

/** Strips the ending EOS / stop token and decodes to trimmed text. */
export function captionText(
  tokenizer: Pick<Tokenizer, 'decode'>,
  seq: DecodedSequence,
): { text: string; tokens: number[] } {
  const tokens = seq.finish === 'length' ? [...seq.tokens] : seq.tokens.slice(0, -1);
  return { text: tokenizer.decode(tokens).replace(/\s+/g, ' ').trim(), tokens };
}

export class CaptionGenerator {
  constructor(private readonly o: CaptionGeneratorOptions) {}

  /** Captions for `ids` (features read from `source`), in order; `onBatch(n)` after each batch. */
  async captionIds(
    source: FeatureSource,
    needs: FeatureKind,
    ids: readonly string[],
    onBatch?: (n: number) => void,
  ): Promise<GeneratedCaption[]> {
    const e = this.o.decoder.engine;
    const bs = this.o.batchSize ?? 16;
    const out: GeneratedCaption[] = [];
    for (let i = 0; i < ids.length; i += bs) {
      const part = ids.slice(i, i + bs);
      const feats = this.o.adapter ? await loadFeatureBatch(e, source, part, needs) : null;
      try {
        out.push(...(await this.decodeBatch(part, feats)));
      } finally {
        if (feats) disposeFeatures(e, feats);
      }
      onBatch?.(part.length);
    }
    return out;
  }

  /** Captions for a batch whose features are already on the device (null: no adapter). */
  async decodeBatch(
    ids: readonly string[],
    feats: VisualFeatures | null,
  ): Promise<GeneratedCaption[]> {
    const { decoder, adapter, search, options, tokenizer } = this.o;
    const cond = adapter && feats ? adapter.condition(feats) : undefined;
    const bos = decoder.config.bosTokenId;
    const session = new DecodeSession({
      decoder,
      prompts: ids.map(() => [bos]),
      conditioning: cond,
    });
    try {
      const seqs = await search.decode(session, options);
      return seqs.map((s, b) => {
        const { text, tokens } = captionText(tokenizer, s);
        return { id: ids[b]!, caption: text, tokens, score: s.score };
      });
    } finally {
      session.dispose();
      cond?.dispose();
    }
  }
}
