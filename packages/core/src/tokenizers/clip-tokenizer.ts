/**
 * CLIP's BPE tokenizer, exactly as openai/CLIP `clip/simple_tokenizer.py` (`SimpleTokenizer`):
 * basic_clean (ftfy → html.unescape twice → strip), whitespace_clean, lower-case, the
 * pre-tokenizer pattern (case-insensitive), `</w>` end-of-word BPE, decode with
 * `errors="replace"` and `</w>` → space.
 *
 * JS spelling of the pattern: Python `regex` `\s` is White_Space (PY_WS); IGNORECASE on the
 * already lower-cased text only adds `ſ` (U+017F, folds to `s`) to the literal alternatives and
 * makes U+0345 (folds to the letter ι) match no alternative, so it is dropped, as in Python.
 * ftfy is replaced by `ftfySubset` (see ftfy-subset.ts for what is not replicated).
 */
import { CaptuneError } from '../errors/captune-error.js';
import { Bpe } from './bpe.js';
import { bytesToSymbols, unicodeToBytes } from './bytes-to-unicode.js';
import { ftfySubset } from './ftfy-subset.js';
import { checkContextLength } from './gpt2-tokenizer.js';
import { htmlUnescape } from './html-unescape.js';
import { collapseWhitespace, PY_WS, pythonStrip } from './python-text.js';
import type { EncodeForModelOptions, Tokenizer } from './tokenizer.js';
import { TokenVocab } from './token-vocab.js';
import { checkWellFormed, decodeUtf8Replace, encodeUtf8 } from './utf8.js';

export const CLIP_SOT_TOKEN = '<|startoftext|>';
export const CLIP_EOT_TOKEN = '<|endoftext|>';

export const CLIP_PATTERN = new RegExp(
  `<\\|[sſ]tartoftext\\|>|<\\|endoftext\\|>|'[sſ]|'t|'re|'ve|'m|'ll|'d|\\p{L}+|\\p{N}|[^${PY_WS}\\p{L}\\p{N}\\u0345]+`,
  'gu',
);

export interface ClipTokenizerOptions {
  /** Token → id (`vocab.json`, tokenizer.json `model.vocab`, or built by `clipVocabFromBpeText`). */
  readonly vocab: Iterable<readonly [string, number]>;
  /** Merges in rank order. */
  readonly merges: readonly (readonly [string, string])[];
  /**
   * The ftfy step of `basic_clean`: "subset" = `ftfySubset` (quotes + NFC), "none" = skip it
   * (as openai/CLIP without ftfy), or a function. @default "subset"
   */
  readonly fixText?: 'subset' | 'none' | ((text: string) => string);
  /** Names the vocabulary's source in error messages. @default "CLIP vocabulary" */
  readonly source?: string;
}

export class ClipTokenizer implements Tokenizer {
  readonly kind = 'clip' as const;
  readonly vocabSize: number;
  readonly bosId: number;
  readonly eosId: number;
  /** `clip.tokenize` pads with 0. */
  readonly padId = 0;
  private readonly vocab: TokenVocab;
  private readonly bpe: Bpe;
  private readonly fixText: (text: string) => string;

  constructor(options: ClipTokenizerOptions) {
    const source = options.source ?? 'CLIP vocabulary';
    this.vocab = new TokenVocab(options.vocab, source);
    this.vocabSize = this.vocab.size;
    this.bpe = new Bpe(options.merges, { endOfWordSuffix: '</w>' });
    const need = (token: string): number => {
      const id = this.vocab.id(token);
      if (id === undefined)
        throw new CaptuneError(
          `${source}: the special token ${JSON.stringify(token)} is not in the vocabulary`,
        );
      return id;
    };
    this.bosId = need(CLIP_SOT_TOKEN);
    this.eosId = need(CLIP_EOT_TOKEN);
    const fix = options.fixText ?? 'subset';
    this.fixText = fix === 'subset' ? ftfySubset : fix === 'none' ? (t) => t : fix;
  }

  /** `whitespace_clean(basic_clean(text)).lower()`. */
  clean(text: string): string {
    const basic = pythonStrip(htmlUnescape(htmlUnescape(this.fixText(text))));
    return pythonStrip(collapseWhitespace(basic)).toLowerCase();
  }

  encode(text: string): number[] {
    checkWellFormed(text);
    const ids: number[] = [];
    for (const m of this.clean(text).matchAll(CLIP_PATTERN)) {
      const word = m[0];
      if (word === CLIP_SOT_TOKEN || word === CLIP_EOT_TOKEN) {
        ids.push(this.vocab.id(word)!);
        continue;
      }
      for (const symbol of this.bpe.encode(bytesToSymbols(encodeUtf8(word)))) {
        // Hugging Face's CLIPTokenizer maps unknown symbols to its unk token, <|endoftext|>.
        ids.push(this.vocab.idOrUnk(symbol, this.eosId));
      }
    }
    return ids;
  }

  decode(ids: readonly number[]): string {
    const byteOf = unicodeToBytes();
    const bytes: number[] = [];
    for (const id of ids) {
      const token = this.vocab.tokenOf(id);
      for (const ch of token) {
        const b = byteOf.get(ch);
        if (b === undefined) {
          throw new CaptuneError(
            `token id ${id} (${JSON.stringify(token)}) has a character that is not a byte-level symbol`,
          );
        }
        bytes.push(b);
      }
    }
    return decodeUtf8Replace(Uint8Array.from(bytes)).replaceAll('</w>', ' ');
  }

  tokens(ids: readonly number[]): string[] {
    return ids.map((id) => this.vocab.tokenOf(id));
  }

  tokenToId(token: string): number | undefined {
    return this.vocab.id(token);
  }

  /** start + ids + end; with `contextLength`, as `clip.tokenize(truncate=True)` (zero-padded). */
  encodeForModel(text: string, options: EncodeForModelOptions = {}): number[] {
    const ids = [this.bosId, ...this.encode(text), this.eosId];
    const n = options.contextLength;
    if (n === undefined) return ids;
    return fitClipContext(ids, n, this.eosId, this.padId);
  }
}

/** `clip.tokenize`'s truncate=True: cut to n with the last id made eot, then pad. */
export function fitClipContext(
  ids: readonly number[],
  n: number,
  eosId: number,
  padId: number,
): number[] {
  checkContextLength(n);
  const out = ids.slice(0, n);
  if (ids.length > n) out[n - 1] = eosId;
  while (out.length < n) out.push(padId);
  return out;
}
