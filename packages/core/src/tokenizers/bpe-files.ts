/**
 * Parsers for the tokenizer files captune reads, from their text (browser-safe; the Node
 * loader in ../node/tokenizer-folder.ts reads the files). Each error is one line naming the
 * file (the `file` argument) and what is wrong.
 *
 * - `vocab.json` / `encoder.json`: object token → id (Hugging Face GPT2Tokenizer/CLIPTokenizer).
 * - `merges.txt` / `vocab.bpe`: `#version` header line, then one `a b` merge per line.
 * - `tokenizer.json`: Hugging Face `tokenizers` JSON with a BPE model (merges as "a b" or [a, b]).
 * - `bpe_simple_vocab_16e6.txt`: openai/CLIP merges; the vocabulary is derived from it.
 */
import { z } from 'zod';
import { CaptuneError } from '../errors/captune-error.js';
import { bytesToUnicodeValuesInDictOrder } from './bytes-to-unicode.js';
import { CLIP_EOT_TOKEN, CLIP_SOT_TOKEN } from './clip-tokenizer.js';

export type Merge = readonly [string, string];

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new CaptuneError(
      `${file}: not valid JSON (${e instanceof Error ? e.message : String(e)})`,
    );
  }
}

const VocabSchema = z.record(z.string(), z.number().int().nonnegative());

function describeIssue(issue: z.core.$ZodIssue): string {
  const at =
    issue.path.length > 0
      ? ` at ${issue.path.map((p) => JSON.stringify(String(p))).join('.')}`
      : '';
  return `${issue.message}${at}`;
}

/** `vocab.json` / `encoder.json`: an object of token string → non-negative integer id. */
export function parseVocabJson(text: string, file: string): [string, number][] {
  const raw = parseJson(text, file);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new CaptuneError(`${file}: expected an object mapping token strings to integer ids`);
  }
  const parsed = VocabSchema.safeParse(raw);
  if (!parsed.success) {
    throw new CaptuneError(
      `${file}: expected an object mapping token strings to integer ids (${describeIssue(parsed.error.issues[0]!)})`,
    );
  }
  return Object.entries(parsed.data);
}

const MERGE_LINE = /^(\S+) (\S+)$/u;

export interface MergesParseOptions {
  /** Keep at most this many merges (openai/CLIP and HF CLIPTokenizer keep 49152-256-2). */
  readonly limit?: number;
  /** Skip the first line whatever it is (openai/CLIP's file starts `"bpe_simple_vocab_16e6.txt#version`). @default false */
  readonly skipFirstLine?: boolean;
}

/**
 * `merges.txt` / `vocab.bpe`: a first line starting with `#` (e.g. `#version: 0.2`) is skipped;
 * each other non-empty line is two symbols separated by one space. Line numbers are 1-based.
 */
export function parseMergesText(
  text: string,
  file: string,
  options: MergesParseOptions = {},
): Merge[] {
  const lines = text.split('\n');
  const merges: Merge[] = [];
  const limit = options.limit ?? Infinity;
  const start = options.skipFirstLine || (lines.length > 0 && lines[0]!.startsWith('#')) ? 1 : 0;
  for (let i = start; i < lines.length && merges.length < limit; i++) {
    const line = lines[i]!.endsWith('\r') ? lines[i]!.slice(0, -1) : lines[i]!;
    if (line === '') {
      if (lines.slice(i + 1).every((l) => l.trim() === '')) break;
      throw new CaptuneError(`${file}: line ${i + 1}: empty line inside the merges`);
    }
    const m = MERGE_LINE.exec(line);
    if (!m)
      throw new CaptuneError(
        `${file}: line ${i + 1}: expected two space-separated symbols, got ${JSON.stringify(line.slice(0, 60))}`,
      );
    merges.push([m[1]!, m[2]!]);
  }
  return merges;
}

const TokenizerJsonSchema = z.object({
  model: z.object({
    type: z.string().optional(),
    vocab: VocabSchema,
    merges: z.array(z.union([z.string(), z.tuple([z.string(), z.string()])])),
    end_of_word_suffix: z.string().nullish(),
  }),
  added_tokens: z
    .array(
      z.object({
        id: z.number().int().nonnegative(),
        content: z.string(),
        special: z.boolean().optional(),
      }),
    )
    .optional(),
});

export interface TokenizerJson {
  readonly vocab: [string, number][];
  readonly merges: Merge[];
  /** The model's end-of-word suffix (CLIP: `</w>`), or "". */
  readonly endOfWordSuffix: string;
  /** Added tokens (content → id), split off before BPE by Hugging Face. */
  readonly addedTokens: { readonly content: string; readonly id: number }[];
}

/** Hugging Face `tokenizer.json` with a BPE model. */
export function parseTokenizerJson(text: string, file: string): TokenizerJson {
  const raw = parseJson(text, file);
  const parsed = TokenizerJsonSchema.safeParse(raw);
  if (!parsed.success) {
    throw new CaptuneError(
      `${file}: not a Hugging Face BPE tokenizer.json (${describeIssue(parsed.error.issues[0]!)})`,
    );
  }
  const { model, added_tokens } = parsed.data;
  if (model.type !== undefined && model.type !== 'BPE') {
    throw new CaptuneError(
      `${file}: model.type is ${JSON.stringify(model.type)}; captune reads BPE tokenizers only (GPT-2, CLIP)`,
    );
  }
  const merges = model.merges.map((m, i): Merge => {
    if (Array.isArray(m)) return [m[0], m[1]];
    const parts = m.split(' ');
    if (parts.length !== 2 || parts[0] === '' || parts[1] === '') {
      throw new CaptuneError(
        `${file}: model.merges[${i}]: expected two space-separated symbols, got ${JSON.stringify(m.slice(0, 60))}`,
      );
    }
    return [parts[0]!, parts[1]!];
  });
  const vocab = Object.entries(model.vocab);
  const addedTokens = (added_tokens ?? []).map((t) => ({ content: t.content, id: t.id }));
  for (const t of addedTokens) {
    if (model.vocab[t.content] === undefined) vocab.push([t.content, t.id]);
  }
  return { vocab, merges, endOfWordSuffix: model.end_of_word_suffix ?? '', addedTokens };
}

/** Merges openai/CLIP keeps: `merges[1:49152-256-2+1]`. */
export const CLIP_MERGE_COUNT = 49152 - 256 - 2;

/**
 * openai/CLIP `SimpleTokenizer.__init__` from the decompressed `bpe_simple_vocab_16e6.txt`:
 * merges = lines 1..48894; vocab = byte symbols, the same with `</w>`, merged pairs, then
 * `<|startoftext|>`, `<|endoftext|>` (49,408 entries for the real file).
 */
export function clipVocabFromBpeText(
  text: string,
  file: string,
): { vocab: [string, number][]; merges: Merge[] } {
  const merges = parseMergesText(text, file, { limit: CLIP_MERGE_COUNT, skipFirstLine: true });
  const bytes = bytesToUnicodeValuesInDictOrder();
  const tokens = [
    ...bytes,
    ...bytes.map((b) => `${b}</w>`),
    ...merges.map(([a, b]) => a + b),
    CLIP_SOT_TOKEN,
    CLIP_EOT_TOKEN,
  ];
  // Later duplicates win, as `dict(zip(vocab, range(len(vocab))))` does; ids stay positional.
  const byToken = new Map<string, number>();
  tokens.forEach((t, i) => byToken.set(t, i));
  return { vocab: [...byToken], merges };
}
