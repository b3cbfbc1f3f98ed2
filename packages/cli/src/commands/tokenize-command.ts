/**
 * `captune tokenize`: the ids a model receives for each text, and their tokens as the
 * vocabulary spells them. CLIP: with start and end tokens; `--context-length` pads/cuts exactly
 * as `clip.tokenize(truncate=True)`. GPT-2: the plain BPE ids (no start token is added);
 * `--context-length` cuts to that length and pads with the end-of-text id.
 */
import { parseCommandArgs, UsageError, type Command } from '../command.js';
import { loadTokenizer } from '../core-tokenizers.js';

export const tokenizeCommand: Command = {
  name: 'tokenize',
  summary: 'Show the token ids and tokens a CLIP or GPT-2 model receives for texts.',
  usage: 'captune tokenize --tokenizer <folder> [--context-length N] [--json] [--] TEXT...',
  help: `options:
  -t, --tokenizer <folder>  folder with vocab.json + merges.txt, tokenizer.json,
                            encoder.json + vocab.bpe (GPT-2) or bpe_simple_vocab_16e6.txt.gz (CLIP)
  --context-length N        fixed length: CLIP as clip.tokenize(truncate=True) (cut, last id
                            made <|endoftext|>, zero-padded); GPT-2 cut, padded with <|endoftext|>
  --json                    print [{"text", "ids", "tokens"}] in input order
  -h, --help                show this help
  --                        end of options: every later argument is a TEXT (may be empty or start with -)`,

  async run(argv) {
    const parsed = parseCommandArgs(this, argv, {
      tokenizer: { type: 'string', short: 't' },
      'context-length': { type: 'string' },
      json: { type: 'boolean' },
    });
    if (!parsed) return 0;
    const { values, positionals } = parsed;
    const folder = values.tokenizer as string | undefined;
    if (folder === undefined) throw new UsageError('missing --tokenizer <folder>');
    if (positionals.length === 0) throw new UsageError('missing TEXT (give one or more texts)');
    const contextLength = parseContextLength(values['context-length'] as string | undefined);

    const tokenizer = loadTokenizer(folder);
    const results = positionals.map((text) => {
      const ids = tokenizer.encodeForModel(text, { contextLength });
      return { text, ids, tokens: tokenizer.tokens(ids) };
    });
    if (values.json) {
      process.stdout.write(`${JSON.stringify(results)}\n`);
      return 0;
    }
    const blocks = results.map(
      (r) =>
        `text: ${JSON.stringify(r.text)}\nids (${r.ids.length}): ${r.ids.join(' ')}\ntokens: ${r.tokens.map(showToken).join(' ')}\n`,
    );
    process.stdout.write(`${tokenizer.kind} tokenizer from ${folder}\n\n${blocks.join('\n')}`);
    return 0;
  },
};

function parseContextLength(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^[1-9][0-9]*$/.test(raw))
    throw new UsageError(`--context-length must be a positive integer, got ${JSON.stringify(raw)}`);
  return Number(raw);
}

/** Tokens are byte-level symbols (never blank); quote any that would not read as one word. */
function showToken(token: string): string {
  return /^[^\s"]+$/u.test(token) ? token : JSON.stringify(token);
}
