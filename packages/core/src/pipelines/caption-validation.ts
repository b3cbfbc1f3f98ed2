/**
 * Validation during training on a small subset of the validation split: the teacher-forced
 * caption loss over its image–caption pairs, and a CIDEr-D estimate from greedy captions scored
 * by a scoring function the caller supplies (core does not depend on @captune/metrics).
 */
import type { CaptionAdapter } from '../adapters/caption-adapter.js';
import { captionLoss } from '../adapters/caption-loss.js';
import type { CaptionRecord } from '../data/caption-dataset.js';
import { DecodeOptionsSchema } from '../decoding/decoder-search.js';
import { GreedySearch } from '../decoding/greedy-search.js';
import type { LanguageDecoder } from '../models/language-decoder.js';
import type { Tokenizer } from '../tokenizers/tokenizer.js';
import { CaptionGenerator } from './caption-generator.js';
import { disposeFeatures, loadFeatureBatch, type FeatureKind } from './feature-batch.js';
import type { FeatureSource } from './feature-source.js';
import { buildTrainingExamples } from './training-examples.js';

/** Corpus scores by metric label (`CIDEr`, `Bleu_4`, …) for candidates against references, by image id. */
export type CaptionScorer = (
  references: Record<string, string[]>,
  candidates: Record<string, string>,
) => Promise<Record<string, number>> | Record<string, number>;

export interface ValidationOptions {
  readonly decoder: LanguageDecoder;
  readonly adapter: CaptionAdapter;
  readonly tokenizer: Tokenizer;
  readonly features: FeatureSource;
  readonly needs: FeatureKind;
  readonly records: readonly CaptionRecord[];
  readonly batchSize: number;
  readonly maxCaptionTokens: number;
  /** Longest greedy caption. @default 20 */
  readonly maxNewTokens?: number;
  /** When absent, only the loss is computed. */
  readonly score?: CaptionScorer;
}

export interface ValidationResult {
  readonly valLoss: number;
  /** CIDEr-D of greedy captions (null without a scorer). */
  readonly valCider: number | null;
  readonly images: number;
}

export async function validateCaptioner(o: ValidationOptions): Promise<ValidationResult> {
  const e = o.decoder.engine;
  const records = o.records.filter((r) => r.captions.some((c) => c.trim()));
  const examples = buildTrainingExamples(
    records,
    o.tokenizer,
    o.maxCaptionTokens,
    'validation subset',
  );
  let lossSum = 0;
  for (let i = 0; i < examples.length; i += o.batchSize) {
    const part = examples.slice(i, i + o.batchSize);
    const feats = await loadFeatureBatch(
      e,
      o.features,
      part.map((x) => x.imageId),
      o.needs,
    );
    const loss = e.tidy(() =>
      captionLoss(o.decoder, o.adapter, feats, { captions: part.map((x) => x.tokens) }),
    );
    lossSum += (await e.readScalar(loss)) * part.length;
    e.dispose(loss);
    disposeFeatures(e, feats);
  }
  let valCider: number | null = null;
  if (o.score) {
    const gen = new CaptionGenerator({
      decoder: o.decoder,
      adapter: o.adapter,
      tokenizer: o.tokenizer,
      search: new GreedySearch(),
      options: DecodeOptionsSchema.parse({ maxNewTokens: o.maxNewTokens ?? 20, numBeams: 1 }),
      batchSize: o.batchSize,
    });
    const caps = await gen.captionIds(
      o.features,
      o.needs,
      records.map((r) => r.id),
    );
    const refs = Object.fromEntries(records.map((r) => [r.id, [...r.captions]]));
    const cands = Object.fromEntries(caps.map((c) => [c.id, c.caption]));
    valCider = (await o.score(refs, cands))['CIDEr'] ?? null;
  }
  return { valLoss: lossSum / examples.length, valCider, images: records.length };
}
