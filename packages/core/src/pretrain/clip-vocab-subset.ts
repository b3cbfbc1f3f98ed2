/**
 * A reduced CLIP BPE vocabulary that tokenizes a given word list exactly as the full openai/CLIP
 * vocabulary does (same pieces), with far fewer rows in the token embedding: the 512 byte
 * symbols, the real merges those words use (in their original rank order), then
 * `<|startoftext|>` / `<|endoftext|>` — the CLIPTokenizer file layout.
 *
 * Why the pieces agree: BPE (openai/CLIP `SimpleTokenizer.bpe`) repeatedly merges the
 * lowest-ranked adjacent pair present. Every merge it applies to these words is kept, in the
 * same relative order, so at each step the lowest-ranked present pair is the same one. Other
 * words fall back to smaller pieces (never fail: every byte is a token).
 */
import type { Merge } from '../tokenizers/bpe-files.js';
import { bytesToUnicodeValuesInDictOrder } from '../tokenizers/bytes-to-unicode.js';
import { CLIP_EOT_TOKEN, CLIP_SOT_TOKEN } from '../tokenizers/clip-tokenizer.js';

/** The merges full-vocabulary BPE applies to `word` (already byte-encoded, lower case). */
export function mergesUsed(word: string, ranks: ReadonlyMap<string, number>): number[] {
  const chars = [...word];
  let pieces = [...chars.slice(0, -1), `${chars[chars.length - 1]}</w>`];
  const used: number[] = [];
  while (pieces.length > 1) {
    let best = -1;
    let bestRank = Infinity;
    for (let i = 0; i < pieces.length - 1; i++) {
      const r = ranks.get(`${pieces[i]} ${pieces[i + 1]}`);
      if (r !== undefined && r < bestRank) {
        bestRank = r;
        best = i;
      }
    }
    if (best < 0) break;
    used.push(bestRank);
    const [a, b] = [pieces[best]!, pieces[best + 1]!];
    const next: string[] = [];
    for (let i = 0; i < pieces.length; i++) {
      if (i < pieces.length - 1 && pieces[i] === a && pieces[i + 1] === b) {
        next.push(a + b);
        i++;
      } else next.push(pieces[i]!);
    }
    pieces = next;
  }
  return used;
}

export interface ClipVocabSubset {
  /** Token → id, in CLIPTokenizer order. */
  readonly vocab: Record<string, number>;
  readonly merges: Merge[];
}

/** The subset vocabulary for `words` (ASCII lower-case words) from the full merge list. */
export function clipVocabSubset(fullMerges: readonly Merge[], words: readonly string[]): ClipVocabSubset {
  const ranks = new Map(fullMerges.map(([a, b], i) => [`${a} ${b}`, i]));
  const keep = new Set<number>();
  for (const w of words) for (const r of mergesUsed(w, ranks)) keep.add(r);
  const merges = [...keep].sort((a, b) => a - b).map((r) => fullMerges[r]!);
  const bytes = bytesToUnicodeValuesInDictOrder();
  const tokens = [...bytes, ...bytes.map((b) => `${b}</w>`), ...merges.map(([a, b]) => a + b), CLIP_SOT_TOKEN, CLIP_EOT_TOKEN];
  const vocab: Record<string, number> = {};
  tokens.forEach((t, i) => (vocab[t] = i));
  return { vocab, merges };
}

/** merges.txt text in the Hugging Face CLIPTokenizer layout. */
export function clipMergesText(merges: readonly Merge[]): string {
  return `#version: 0.2\n${merges.map(([a, b]) => `${a} ${b}`).join('\n')}\n`;
}
