/**
 * Training examples: one per (image, reference caption) pair, as ClipCap and I-Tuning train,
 * with the caption tokenized once up front (cut to `maxTokens`).
 */
import type { CaptionRecord } from '../data/caption-dataset.js';
import { CaptuneError } from '../errors/captune-error.js';
import type { Tokenizer } from '../tokenizers/tokenizer.js';

export interface TrainingExample {
  readonly imageId: string;
  /** Caption token ids, no BOS/EOS. */
  readonly tokens: readonly number[];
}

export function buildTrainingExamples(
  records: readonly CaptionRecord[],
  tokenizer: Pick<Tokenizer, 'encode'>,
  maxTokens: number,
  what = 'training split',
): TrainingExample[] {
  const out: TrainingExample[] = [];
  for (const r of records) {
    for (const c of r.captions) {
      const text = c.trim();
      if (!text) continue;
      const tokens = tokenizer.encode(text).slice(0, maxTokens);
      if (tokens.length > 0) out.push({ imageId: r.id, tokens });
    }
  }
  if (out.length === 0)
    throw new CaptuneError(`the ${what} has no captions to train on (${records.length} images)`);
  return out;
}
