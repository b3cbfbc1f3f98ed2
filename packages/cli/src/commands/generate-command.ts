/**
 * `captune generate`: continues a prompt with a causal language model folder (GPT-2, OPT) using
 * one of core's decoding strategies (greedy, beam, sample), with the KV cache on the device.
 * Follows Hugging Face `generate`: greedy by default; `generated_ids` include the EOS token when
 * one ended the continuation; `logprobs` are the model's natural-log probabilities of each
 * generated token (log_softmax of the raw logits, before temperature, top-k/top-p or n-gram
 * blocking), so they sum to the continuation's log-likelihood and match `captune lm-score`.
 * `text` decodes the generated ids without the trailing EOS (null when the folder has no
 * tokenizer).
 */
import { parseCommandArgs, UsageError, type Command } from '../command.js';
import {
  BACKEND_OPTIONS,
  backendHelp,
  backendChoice,
  withEngine,
} from '../runtime/backend-options.js';
import { PROMPT_OPTIONS, promptSource } from '../runtime/lm-prompt.js';
import { intOption, numberOption } from '../runtime/option-values.js';
import { fixed, printJson, printText } from '../runtime/output.js';

export interface GenerateResult {
  readonly prompt_ids: number[];
  readonly generated_ids: number[];
  readonly text: string | null;
  readonly logprobs: number[];
  /** Why the continuation ended: an EOS token, or the --max-new-tokens limit. */
  readonly finish: 'eos' | 'stop' | 'length';
}

const SEARCHES = ['greedy', 'beam', 'sample'] as const;
const SAMPLING_FLAGS = ['top-k', 'top-p', 'temperature', 'seed'] as const;

export const generateCommand: Command = {
  name: 'generate',
  summary: 'Continue a prompt with a GPT-2 / OPT model folder (greedy, beam search or sampling).',
  usage:
    'captune generate --model <lm folder> (--text STR | --ids 1,2,3) [--max-new-tokens N] [--search greedy|beam|sample] [--num-beams N] [--top-k K] [--top-p P] [--temperature T] [--seed S] [--no-repeat-ngram-size N] [--json] [--backend B] [--device D]',
  help: `options:
  -m, --model <folder>        Hugging Face causal LM folder (config.json, model.safetensors; tokenizer
                              files for --text)
  -t, --text STR              the prompt, tokenised as Hugging Face's tokenizer(text) does (GPT-2: no
                              BOS added; OPT: BOS prepended); "" starts from the BOS token alone
  --ids 1,2,3                 the prompt as token ids
  --max-new-tokens N          most tokens to generate, EOS included (default 20)
  --search S                  greedy (default, as Hugging Face generate), beam, sample
  --num-beams N               beams for --search beam (default 5)
  --top-k K                   sample: keep the K most likely tokens (default 0 = all)
  --top-p P                   sample: keep the smallest set with probability ≥ P (default 1)
  --temperature T             sample: divide the log-probabilities by T (default 1)
  --seed S                    sample: random seed (default 0)
  --no-repeat-ngram-size N    never repeat an n-gram of this size (prompt included; default 0 = off)
  --json                      print {"prompt_ids", "generated_ids", "text", "logprobs", "finish"}
${backendHelp(30)}
  -h, --help                  show this help

generated_ids include the EOS token when one was generated (as Hugging Face generate returns
them); text is the decoded generated ids without that EOS. logprobs[i] is the natural log of the
model's probability of generated_ids[i] given everything before it (raw model, before
temperature, top-k/top-p and n-gram blocking).`,

  async run(argv) {
    const parsed = parseCommandArgs(this, argv, {
      model: { type: 'string', short: 'm' },
      ...PROMPT_OPTIONS,
      'max-new-tokens': { type: 'string' },
      search: { type: 'string' },
      'num-beams': { type: 'string' },
      'top-k': { type: 'string' },
      'top-p': { type: 'string' },
      temperature: { type: 'string' },
      seed: { type: 'string' },
      'no-repeat-ngram-size': { type: 'string' },
      json: { type: 'boolean' },
      ...BACKEND_OPTIONS,
    });
    if (!parsed) return 0;
    const { values, positionals } = parsed;
    if (positionals.length > 0)
      throw new UsageError(
        `unexpected argument ${JSON.stringify(positionals[0])} (give the prompt with --text or --ids)`,
      );
    const model = values.model as string | undefined;
    if (model === undefined) throw new UsageError('missing --model <lm folder>');
    const source = promptSource(values);
    const search = (values.search as string | undefined) ?? 'greedy';
    if (!(SEARCHES as readonly string[]).includes(search)) {
      throw new UsageError(
        `--search must be one of ${SEARCHES.join(', ')}, got ${JSON.stringify(search)}`,
      );
    }
    if (search !== 'sample') {
      const flag = SAMPLING_FLAGS.find((f) => values[f] !== undefined);
      if (flag) throw new UsageError(`--${flag} applies only to --search sample`);
    }
    if (search !== 'beam' && values['num-beams'] !== undefined)
      throw new UsageError('--num-beams applies only to --search beam');
    const decode = {
      maxNewTokens: intOption(values, 'max-new-tokens', { min: 1 }) ?? 20,
      numBeams: intOption(values, 'num-beams', { min: 1 }) ?? 5,
      topK: intOption(values, 'top-k', { min: 0 }) ?? 0,
      topP: numberOption(values, 'top-p', 'a number in (0, 1]', (p) => p > 0 && p <= 1) ?? 1,
      temperature: numberOption(values, 'temperature', 'a positive number', (t) => t > 0) ?? 1,
      seed: intOption(values, 'seed', { min: 0 }) ?? 0,
      noRepeatNgramSize: intOption(values, 'no-repeat-ngram-size', { min: 0 }) ?? 0,
    };
    const choice = backendChoice(values);

    const result = await withEngine(choice, async ({ engine }) => {
      const { generateTokens } = await import('../runtime/generate-tokens.js');
      return generateTokens(engine, { model, source, search, decode });
    });
    if (values.json) printJson(result);
    else printText(formatGenerate(result));
    return 0;
  },
};

function formatGenerate(r: GenerateResult): string {
  const total = r.logprobs.reduce((s, x) => s + x, 0);
  return [
    `prompt ids (${r.prompt_ids.length}): ${r.prompt_ids.join(' ')}`,
    `generated ids (${r.generated_ids.length}, ended by ${r.finish === 'length' ? '--max-new-tokens' : 'EOS'}): ${r.generated_ids.join(' ')}`,
    `logprobs: ${r.logprobs.map((x) => fixed(x, 3).trim()).join(' ')}  (sum ${fixed(total, 3).trim()})`,
    r.text === null
      ? 'text: (no tokenizer in the model folder)'
      : `text: ${JSON.stringify(r.text)}`,
  ].join('\n');
}
