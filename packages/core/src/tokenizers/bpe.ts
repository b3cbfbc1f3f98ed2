/**
 * The byte-pair merge loop shared by GPT-2 and CLIP: `Encoder.bpe` in openai/gpt-2
 * `src/encoder.py` and `SimpleTokenizer.bpe` in openai/CLIP `clip/simple_tokenizer.py`.
 * Repeatedly merges every occurrence (left to right) of the adjacent pair with the lowest
 * merge rank until no adjacent pair has a rank. CLIP appends `</w>` to the last symbol first.
 */

export interface BpeOptions {
  /** Appended to a word's last symbol before merging (CLIP: `"</w>"`). @default "" */
  readonly endOfWordSuffix?: string;
  /** Words cached before the cache is cleared (the references cache without bound). @default 100000 */
  readonly cacheSize?: number;
}

export class Bpe {
  private readonly ranks = new Map<string, number>();
  private readonly cache = new Map<string, readonly string[]>();
  private readonly suffix: string;
  private readonly cacheSize: number;

  /** `merges[i]` has rank i; a repeated pair keeps its last rank, as `dict(zip(...))` does. */
  constructor(merges: readonly (readonly [string, string])[], options: BpeOptions = {}) {
    merges.forEach(([a, b], i) => this.ranks.set(pairKey(a, b), i));
    this.suffix = options.endOfWordSuffix ?? '';
    this.cacheSize = options.cacheSize ?? 100_000;
  }

  get mergeCount(): number {
    return this.ranks.size;
  }

  /** Rank of the merge `a b`, or undefined. */
  rank(a: string, b: string): number | undefined {
    return this.ranks.get(pairKey(a, b));
  }

  /** The BPE symbols of one pre-tokenized word (already byte-encoded). */
  encode(word: string): readonly string[] {
    const hit = this.cache.get(word);
    if (hit) return hit;
    const result = this.merge(word);
    if (this.cache.size >= this.cacheSize) this.cache.clear();
    this.cache.set(word, result);
    return result;
  }

  private merge(wordText: string): string[] {
    let word = Array.from(wordText);
    if (word.length === 0) return [];
    word[word.length - 1] += this.suffix;
    while (word.length > 1) {
      let best = Infinity;
      let first = '';
      let second = '';
      for (let i = 0; i < word.length - 1; i++) {
        const r = this.ranks.get(pairKey(word[i]!, word[i + 1]!));
        if (r !== undefined && r < best) {
          best = r;
          first = word[i]!;
          second = word[i + 1]!;
        }
      }
      if (best === Infinity) break;
      const next: string[] = [];
      for (let i = 0; i < word.length;) {
        if (word[i] === first && i < word.length - 1 && word[i + 1] === second) {
          next.push(first + second);
          i += 2;
        } else {
          next.push(word[i]!);
          i += 1;
        }
      }
      word = next;
    }
    return word;
  }
}

function pairKey(a: string, b: string): string {
  // Symbols are byte-level characters (never a space) or a merge file's space-free fields.
  return `${a} ${b}`;
}
