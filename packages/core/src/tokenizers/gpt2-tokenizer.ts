/**
 * GPT-2 byte-level BPE, exactly as openai/gpt-2 `src/encoder.py` (`Encoder`) and Hugging Face
 * `GPT2Tokenizer` (slow): the pre-tokenizer pattern below (with Python `regex` `\s`), UTF-8 bytes
 * mapped by bytes_to_unicode, BPE by merge rank, decode with `errors="replace"`.
 *
 * Special tokens: like Hugging Face (and unlike encoder.py) the literal text `<|endoftext|>`
 * encodes to its own id (50256), because added tokens are split off before BPE. Pass
 * `specialTokens: []` for encoder.py's behaviour (the literal is BPE-encoded as plain text).
 */
import { CaptuneError } from '../errors/captune-error.js';
import { Bpe } from './bpe.js';
import { bytesToSymbols, unicodeToBytes } from './bytes-to-unicode.js';
import { PY_WS } from './python-text.js';
import { SpecialTokenSplitter } from './special-token-splitter.js';
import type { EncodeForModelOptions, Tokenizer } from './tokenizer.js';
import { TokenVocab } from './token-vocab.js';
import { checkWellFormed, decodeUtf8Replace, encodeUtf8 } from './utf8.js';

export const GPT2_PATTERN = new RegExp(
  `'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^${PY_WS}\\p{L}\\p{N}]+|[${PY_WS}]+(?![^${PY_WS}])|[${PY_WS}]+`,
  'gu',
);

export const GPT2_EOS_TOKEN = '<|endoftext|>';

export interface Gpt2TokenizerOptions {
  /** Token → id (`encoder.json` / `vocab.json` / tokenizer.json `model.vocab`). */
  readonly vocab: Iterable<readonly [string, number]>;
  /** Merges in rank order (`vocab.bpe` / `merges.txt` without the `#version` line). */
  readonly merges: readonly (readonly [string, string])[];
  /** Literal strings that encode to their own id. @default ["<|endoftext|>"] (when in the vocabulary) */
  readonly specialTokens?: readonly string[];
  /** End-of-text token. @default "<|endoftext|>" */
  readonly eosToken?: string;
  /** Start token (GPT-2 uses its end token). @default eosToken */
  readonly bosToken?: string;
  /** Padding token. @default eosToken */
  readonly padToken?: string;
  /** Token for unknown symbols (Hugging Face's `unk_token`). @default eosToken */
  readonly unkToken?: string;
  /** Names the vocabulary's source in error messages. @default "GPT-2 vocabulary" */
  readonly source?: string;
}

export class Gpt2Tokenizer implements Tokenizer {
  readonly kind = 'gpt2' as const;
  readonly vocabSize: number;
  readonly bosId: number;
  readonly eosId: number;
  readonly padId: number;
  private readonly vocab: TokenVocab;
  private readonly bpe: Bpe;
  private readonly splitter: SpecialTokenSplitter;
  private readonly specials: ReadonlySet<string>;
  private readonly unkId: number | undefined;

  constructor(options: Gpt2TokenizerOptions) {
    const source = options.source ?? 'GPT-2 vocabulary';
    this.vocab = new TokenVocab(options.vocab, source);
    this.vocabSize = this.vocab.size;
    this.bpe = new Bpe(options.merges);
    const eos = options.eosToken ?? GPT2_EOS_TOKEN;
    const need = (token: string, role: string): number => {
      const id = this.vocab.id(token);
      if (id === undefined)
        throw new CaptuneError(
          `${source}: the ${role} token ${JSON.stringify(token)} is not in the vocabulary`,
        );
      return id;
    };
    this.eosId = need(eos, 'end-of-text');
    this.bosId = need(options.bosToken ?? eos, 'start');
    this.padId = need(options.padToken ?? eos, 'padding');
    this.unkId = this.vocab.id(options.unkToken ?? eos);
    const specials = (options.specialTokens ?? [eos]).filter((t) => this.vocab.id(t) !== undefined);
    this.specials = new Set(specials);
    this.splitter = new SpecialTokenSplitter(specials);
  }

  encode(text: string): number[] {
    checkWellFormed(text);
    const ids: number[] = [];
    for (const piece of this.splitter.split(text)) {
      if (piece.special) {
        ids.push(this.vocab.id(piece.text)!);
        continue;
      }
      for (const m of piece.text.matchAll(GPT2_PATTERN)) {
        for (const symbol of this.bpe.encode(bytesToSymbols(encodeUtf8(m[0])))) {
          ids.push(this.vocab.idOrUnk(symbol, this.unkId));
        }
      }
    }
    return ids;
  }

  decode(ids: readonly number[]): string {
    const byteOf = unicodeToBytes();
    const bytes: number[] = [];
    for (const id of ids) {
      const token = this.vocab.tokenOf(id);
      if (this.specials.has(token)) {
        for (const b of encodeUtf8(token)) bytes.push(b);
        continue;
      }
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
    return decodeUtf8Replace(Uint8Array.from(bytes));
  }

  tokens(ids: readonly number[]): string[] {
    return ids.map((id) => this.vocab.tokenOf(id));
  }

  tokenToId(token: string): number | undefined {
    return this.vocab.id(token);
  }

  /** GPT-2 receives the plain ids; with `contextLength`, cut to it and padded with `padId`. */
  encodeForModel(text: string, options: EncodeForModelOptions = {}): number[] {
    const ids = this.encode(text);
    const n = options.contextLength;
    if (n === undefined) return ids;
    checkContextLength(n);
    const out = ids.slice(0, n);
    while (out.length < n) out.push(this.padId);
    return out;
  }
}

export function checkContextLength(n: number): void {
  if (!Number.isInteger(n) || n < 1) {
    throw new CaptuneError(`context length must be a positive integer, got ${n}`);
  }
}
