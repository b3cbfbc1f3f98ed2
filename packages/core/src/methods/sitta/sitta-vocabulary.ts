/**
 * SITTA's vocabulary of word tokens: LM token ids whose decoded text, trimmed, is an
 * alphabetic word ("Ġred" → "red"), optionally only words of a given set; the tokens of the
 * training captions' content words (vocabulary "caption-words"); and the content words of a caption (stop words removed) for the
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

/**
 * The tokens a "pairs" fit targets, as a vocabulary: the distinct LM tokens of the captions'
 * content words, each encoded with a leading space as in running text (GPT-2's "Ġred", not the
 * "red" / "Red" variants, which a caption-trained LM may never have seen), kept when they
 * decode to an alphabetic word; ascending ids.
 */
export function captionTokens(tokenizer: Pick<Tokenizer, 'encode' | 'decode'>, captions: Iterable<string>, vocabSize: number): WordTokens {
  const words = new Set<string>();
  for (const c of captions) for (const w of contentWords(c)) words.add(w);
  const ids = new Set<number>();
  for (const w of words) for (const id of tokenizer.encode(` ${w}`)) if (id < vocabSize) ids.add(id);
  const sorted = [...ids].sort((a, b) => a - b).filter((id) => WORD.test(tokenizer.decode([id]).trim()));
  return { ids: Int32Array.from(sorted), words: sorted.map((id) => tokenizer.decode([id]).trim()) };
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

/** Every lower-case word of the captions. */
export function captionWordSet(captions: Iterable<string>): Set<string> {
  const set = new Set<string>();
  for (const c of captions) for (const raw of c.toLowerCase().split(/\s+/)) {
    const w = raw.replace(/[^a-z]/g, '');
    if (w) set.add(w);
  }
  return set;
}
