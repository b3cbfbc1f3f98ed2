/**
 * `captune lm-score`: the log-probability a causal language model folder (GPT-2, OPT) gives each
 * token of a sequence given the tokens before it — Hugging Face's
 * `log_softmax(model(ids).logits[:, :-1]).gather(-1, ids[:, 1:])`, in one forward pass.
 */
import { parseCommandArgs, UsageError, type Command } from '../command.js';
import {
  BACKEND_OPTIONS,
  backendChoice,
  backendHelp,
  withEngine,
} from '../runtime/backend-options.js';
import { PROMPT_OPTIONS, promptSource } from '../runtime/lm-prompt.js';
import { fixed, printJson, printText, table } from '../runtime/output.js';
import type { ScoreResult } from '../runtime/score-tokens.js';

export const lmScoreCommand: Command = {
  name: 'lm-score',
  summary: 'Log-probability of every token of a text under a GPT-2 / OPT model folder.',
  usage:
    'captune lm-score --model <lm folder> (--text STR | --ids 1,2,3) [--json] [--backend B] [--device D]',
  help: `options:
  -m, --model <folder>      Hugging Face causal LM folder (config.json, model.safetensors; tokenizer
                            files for --text)
  -t, --text STR            the text, tokenised as Hugging Face's tokenizer(text) does (GPT-2: no BOS
                            added, so the first token is not scored; OPT: BOS prepended)
  --ids 1,2,3               the sequence as token ids
  --json                    print {"ids", "logprobs"}: logprobs[0] is null, logprobs[i] is
                            log p(ids[i] | ids[<i]) (natural log)
${backendHelp(28)}
  -h, --help                show this help`,

  async run(argv) {
    const parsed = parseCommandArgs(this, argv, {
      model: { type: 'string', short: 'm' },
      ...PROMPT_OPTIONS,
      json: { type: 'boolean' },
      ...BACKEND_OPTIONS,
    });
    if (!parsed) return 0;
    const { values, positionals } = parsed;
    if (positionals.length > 0)
      throw new UsageError(
        `unexpected argument ${JSON.stringify(positionals[0])} (give the sequence with --text or --ids)`,
      );
    const model = values.model as string | undefined;
    if (model === undefined) throw new UsageError('missing --model <lm folder>');
    const source = promptSource(values);
    const choice = backendChoice(values);

    const result = await withEngine(choice, async ({ engine }) => {
      const { scoreTokens } = await import('../runtime/score-tokens.js');
      return scoreTokens(engine, model, source);
    });
    if (values.json) printJson({ ids: result.ids, logprobs: result.logprobs });
    else printText(formatScore(result));
    return 0;
  },
};

function formatScore(r: ScoreResult): string {
  const scored = r.logprobs.filter((x): x is number => x !== null);
  const rows = r.ids.map((id, i) => [
    String(i),
    String(id),
    r.tokens ? JSON.stringify(r.tokens[i]) : '',
    r.logprobs[i] === null ? '—' : fixed(r.logprobs[i]!),
  ]);
  const lines = [table(['pos', 'id', r.tokens ? 'token' : '', 'logprob'], rows)];
  if (scored.length > 0) {
    const sum = scored.reduce((s, x) => s + x, 0);
    lines.push(
      '',
      `${scored.length} scored tokens: sum ${fixed(sum).trim()}, mean ${fixed(sum / scored.length).trim()}, perplexity ${fixed(Math.exp(-sum / scored.length), 2).trim()}`,
    );
  } else {
    lines.push('', 'one token: nothing to score (the first token has no context)');
  }
  return lines.join('\n');
}
