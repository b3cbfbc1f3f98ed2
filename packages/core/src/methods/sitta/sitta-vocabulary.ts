/**
 * SITTA's vocabulary of word tokens: LM token ids whose decoded text, trimmed, is an
 * alphabetic word ("Ġred" → "red"), optionally only words of a given set (e.g. the words of
 * the training captions); and the content words of a caption (stop words removed) for the
 * image–caption source, as SITTA's `train_external_dataset.py` tokenises captions.
 */
import type { Tokenizer } from '../../tokenizers/tokenizer.js';

export interface WordTokens {
  readonly ids: Int32Array;
  /** Decoded, trimmed text of each id. */
  readonly words: readonly string[];
}

/** English stop words (a short list in the spirit of spaCy's; SITTA removes spaCy's). */
export const STOP_WORDS: ReadonlySet<string> = new Set(
  ('a an the and or but of on in at to from by for with without into onto over under above below near next ' +
    'is are was were be been being am has have had do does did this that these those there here it its ' +
    'he she they them his her their we our you your i me my some any each other another while as than then ' +
    'very just up down out off left right side top bottom front back behind beside between who which what')
    .split(/\s+/),
);

const WORD = /^[A-Za-z]+$/;

export function wordTokens(tokenizer: Pick<Tokenizer, 'decode'>, vocabSize: number, options: { only?: ReadonlySet<string>; maxTokens?: number } = {}): WordTokens {
  const ids: number[] = [];
  const words: string[] = [];
  const max = options.maxTokens && options.maxTokens > 0 ? options.maxTokens : Infinity;
  for (let id = 0; id < vocabSize && ids.length < max; id++) {
    const w = tokenizer.decode([id]).trim();
    if (!WORD.test(w)) continue;
    if (options.only && !options.only.has(w.toLowerCase())) continue;
    ids.push(id);
    words.push(w);
  }
  return { ids: Int32Array.from(ids), words };
}

/** Lower-case content words of a caption, distinct, in order (punctuation and stop words removed). */
export function contentWords(caption: string): string[] {
  const out: string[] = [];
  for (const raw of caption.toLowerCase().split(/\s+/)) {
    const w = raw.replace(/[^a-z]/g, '');
    if (w && !STOP_WORDS.has(w) && !out.includes(w)) out.push(w);
  }
  return out;
}

/** Every lower-case word of the captions (for vocabulary "caption-words"). */
export function captionWordSet(captions: Iterable<string>): Set<string> {
  const set = new Set<string>();
  for (const c of captions) for (const raw of c.toLowerCase().split(/\s+/)) {
    const w = raw.replace(/[^a-z]/g, '');
    if (w) set.add(w);
  }
  return set;
}
