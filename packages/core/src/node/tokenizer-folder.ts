/**
 * Loads a GPT-2 or CLIP tokenizer from a folder, detecting the kind from its files, in this order:
 * 1. `vocab.json` + `merges.txt` (Hugging Face slow-tokenizer files; CLIP when
 *    `tokenizer_config.json` `tokenizer_class` / `config.json` `model_type` say so, or the
 *    vocabulary has `</w>` tokens);
 * 2. `tokenizer.json` (Hugging Face fast tokenizer; CLIP when its model has the `</w>` suffix);
 * 3. `encoder.json` + `vocab.bpe` (OpenAI GPT-2 release);
 * 4. `bpe_simple_vocab_16e6.txt.gz` (openai/CLIP; the vocabulary is derived from the merges).
 * Every problem is a one-line CaptuneError naming the file.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { z } from 'zod';
import { CaptuneError } from '../errors/captune-error.js';
import {
  CLIP_MERGE_COUNT,
  clipVocabFromBpeText,
  parseMergesText,
  parseTokenizerJson,
  parseVocabJson,
} from '../tokenizers/bpe-files.js';
import { ClipTokenizer, type ClipTokenizerOptions } from '../tokenizers/clip-tokenizer.js';
import { Gpt2Tokenizer } from '../tokenizers/gpt2-tokenizer.js';
import type { Tokenizer, TokenizerKind } from '../tokenizers/tokenizer.js';

export const TOKENIZER_FILE_SETS = [
  'vocab.json + merges.txt',
  'tokenizer.json',
  'encoder.json + vocab.bpe',
  'bpe_simple_vocab_16e6.txt.gz',
] as const;

export interface LoadTokenizerOptions {
  /** Force the kind instead of detecting it. */
  readonly kind?: TokenizerKind;
  /** CLIP's ftfy step (see ClipTokenizerOptions.fixText). @default "subset" */
  readonly clipFixText?: ClipTokenizerOptions['fixText'];
}

export function loadTokenizer(folder: string, options: LoadTokenizerOptions = {}): Tokenizer {
  if (!existsSync(folder)) throw new CaptuneError(`${folder}: no such folder`);
  if (!statSync(folder).isDirectory())
    throw new CaptuneError(`${folder}: not a folder (give the folder holding the tokenizer files)`);
  const has = (name: string): boolean => existsSync(join(folder, name));
  const file = (name: string): string => join(folder, name);
  const clipFix = options.clipFixText;

  if (has('vocab.json') && has('merges.txt')) {
    const vocab = parseVocabJson(readText(file('vocab.json')), file('vocab.json'));
    const kind =
      options.kind ??
      hintedKind(folder) ??
      (vocab.some(([t]) => t.endsWith('</w>')) ? 'clip' : 'gpt2');
    const source = file('vocab.json');
    if (kind === 'clip') {
      // Hugging Face CLIPTokenizer keeps merges[1 : 49152-256-2+1].
      const merges = parseMergesText(readText(file('merges.txt')), file('merges.txt'), {
        limit: CLIP_MERGE_COUNT,
      });
      return new ClipTokenizer({ vocab, merges, source, fixText: clipFix });
    }
    const merges = parseMergesText(readText(file('merges.txt')), file('merges.txt'));
    return new Gpt2Tokenizer({ vocab, merges, source, ...gpt2Config(folder, vocab) });
  }
  if (has('tokenizer.json')) {
    const tj = parseTokenizerJson(readText(file('tokenizer.json')), file('tokenizer.json'));
    const kind =
      options.kind ?? (tj.endOfWordSuffix === '</w>' ? 'clip' : (hintedKind(folder) ?? 'gpt2'));
    const source = file('tokenizer.json');
    if (kind === 'clip')
      return new ClipTokenizer({ vocab: tj.vocab, merges: tj.merges, source, fixText: clipFix });
    const base = gpt2Config(folder, tj.vocab);
    const specialTokens = [
      ...new Set([...(base.specialTokens ?? []), ...tj.addedTokens.map((t) => t.content)]),
    ];
    return new Gpt2Tokenizer({
      vocab: tj.vocab,
      merges: tj.merges,
      source,
      ...base,
      specialTokens,
    });
  }
  if (has('encoder.json') && has('vocab.bpe')) {
    const vocab = parseVocabJson(readText(file('encoder.json')), file('encoder.json'));
    const merges = parseMergesText(readText(file('vocab.bpe')), file('vocab.bpe'));
    return new Gpt2Tokenizer({ vocab, merges, source: file('encoder.json') });
  }
  if (has('bpe_simple_vocab_16e6.txt.gz')) {
    const path = file('bpe_simple_vocab_16e6.txt.gz');
    const { vocab, merges } = clipVocabFromBpeText(readGzipText(path), path);
    return new ClipTokenizer({ vocab, merges, source: path, fixText: clipFix });
  }
  const partial = [
    ['vocab.json', 'merges.txt'],
    ['encoder.json', 'vocab.bpe'],
  ].find(([a, b]) => has(a!) !== has(b!));
  if (partial) {
    const [present, missing] = has(partial[0]!) ? partial : [partial[1], partial[0]];
    throw new CaptuneError(`${folder}: ${present} is there but ${missing} is missing`);
  }
  throw new CaptuneError(
    `${folder}: no tokenizer files found (looked for ${TOKENIZER_FILE_SETS.join(', ')})`,
  );
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new CaptuneError(`${path}: cannot read (${e instanceof Error ? e.message : String(e)})`);
  }
}

function readGzipText(path: string): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new CaptuneError(`${path}: cannot read (${e instanceof Error ? e.message : String(e)})`);
  }
  try {
    return gunzipSync(bytes).toString('utf8');
  } catch (e) {
    throw new CaptuneError(
      `${path}: not a valid gzip file (${e instanceof Error ? e.message : String(e)})`,
    );
  }
}

const TokenSpec = z.union([z.string(), z.object({ content: z.string() }).loose()]).nullish();
const TokenizerConfigSchema = z
  .object({
    tokenizer_class: z.string().nullish(),
    model_type: z.string().nullish(),
    bos_token: TokenSpec,
    eos_token: TokenSpec,
    unk_token: TokenSpec,
    pad_token: TokenSpec,
    added_tokens_decoder: z.record(z.string(), z.object({ content: z.string() }).loose()).nullish(),
  })
  .loose();
type TokenizerConfig = z.infer<typeof TokenizerConfigSchema>;

function readConfig(folder: string, name: string): TokenizerConfig | undefined {
  const path = join(folder, name);
  if (!existsSync(path)) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(readText(path));
  } catch (e) {
    if (e instanceof CaptuneError) throw e;
    throw new CaptuneError(
      `${path}: not valid JSON (${e instanceof Error ? e.message : String(e)})`,
    );
  }
  const parsed = TokenizerConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new CaptuneError(`${path}: ${issue.message} at ${issue.path.join('.') || 'top level'}`);
  }
  return parsed.data;
}

/** CLIP or GPT-2 from tokenizer_config.json `tokenizer_class` or config.json `model_type`. */
function hintedKind(folder: string): TokenizerKind | undefined {
  const tc = readConfig(folder, 'tokenizer_config.json');
  const cls = tc?.tokenizer_class?.toLowerCase() ?? '';
  if (cls.startsWith('clip')) return 'clip';
  if (cls.startsWith('gpt2')) return 'gpt2';
  const mt = (readConfig(folder, 'config.json')?.model_type ?? tc?.model_type ?? '').toLowerCase();
  if (mt.startsWith('clip')) return 'clip';
  if (mt === 'gpt2') return 'gpt2';
  return undefined;
}

function tokenText(spec: TokenizerConfig['eos_token']): string | undefined {
  if (spec === null || spec === undefined) return undefined;
  return typeof spec === 'string' ? spec : spec.content;
}

/** GPT-2 special tokens from tokenizer_config.json (Hugging Face defaults otherwise). */
function gpt2Config(folder: string, vocab: readonly (readonly [string, number])[]) {
  const tc = readConfig(folder, 'tokenizer_config.json');
  const known = new Set(vocab.map(([t]) => t));
  const eosToken = tokenText(tc?.eos_token) ?? '<|endoftext|>';
  const added = Object.values(tc?.added_tokens_decoder ?? {}).map((t) => t.content);
  const specialTokens = [...new Set([eosToken, ...added])].filter((t) => known.has(t));
  return {
    eosToken,
    bosToken: tokenText(tc?.bos_token) ?? eosToken,
    unkToken: tokenText(tc?.unk_token) ?? eosToken,
    padToken: tokenText(tc?.pad_token) ?? eosToken,
    specialTokens,
  };
}
