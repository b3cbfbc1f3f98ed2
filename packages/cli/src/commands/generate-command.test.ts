import { describe, expect, it } from 'vitest';
import type { GenerateResult } from './generate-command.js';
import { GOLDENS, TINY_GPT2, TINY_OPT } from './testing/cli-fixtures.js';
import { maxAbsDiff, runCaptured, runJson } from './testing/run-captured.js';

const greedy = GOLDENS.lm['tiny-gpt2'].greedy;
const eos = GOLDENS.lm['tiny-opt'].greedy_eos;
const gen = (...args: string[]) => runJson<GenerateResult>('generate', ...args, '--json');
const lmScore = (model: string, ids: number[]) =>
  runJson<{ ids: number[]; logprobs: (number | null)[] }>(
    'lm-score',
    '-m',
    model,
    '--ids',
    ids.join(','),
    '--json',
  );

describe('captune generate', () => {
  it('greedy ids and logprobs match the numpy goldens (tfjs and reference within 1e-4)', async () => {
    const args = [
      '-m',
      TINY_GPT2,
      '--ids',
      greedy.prompt_ids.join(','),
      '--max-new-tokens',
      String(greedy.max_new_tokens),
    ];
    for (const backend of ['tfjs', 'reference']) {
      const r = await gen(...args, '--backend', backend);
      expect(r.prompt_ids).toEqual(greedy.prompt_ids);
      expect(r.generated_ids).toEqual(greedy.generated_ids);
      expect(maxAbsDiff(r.logprobs, greedy.logprobs)).toBeLessThan(1e-4);
      expect(r.finish).toBe('length');
    }
  });

  it('an EOS ends the continuation and is kept in generated_ids, not in text (OPT folder without tokenizer)', async () => {
    const r = await gen(
      '-m',
      TINY_OPT,
      '--ids',
      eos.prompt_ids.join(' '),
      '--max-new-tokens',
      String(eos.max_new_tokens),
    );
    expect(r.generated_ids).toEqual(eos.generated_ids);
    expect(r.generated_ids.at(-1)).toBe(2);
    expect(maxAbsDiff(r.logprobs, eos.logprobs)).toBeLessThan(1e-4);
    expect(r).toMatchObject({ finish: 'eos', text: null });
    const t = await runCaptured('generate', '-m', TINY_OPT, '--text', 'hi');
    expect(t.code).toBe(1);
    expect(t.stderr).toMatch(
      /^captune generate: .*tiny-opt: no tokenizer files \(.*\): give the prompt as --ids\n$/,
    );
  });

  it('--text is tokenised without BOS (GPT-2); text decodes the continuation; default 20 greedy tokens', async () => {
    const r = await gen('-m', TINY_GPT2, '--text', 'the cat');
    expect(r.prompt_ids).toEqual([83, 258, 269, 265]); // "t" "he" "Ġc" "at" in the 300-token vocabulary
    expect(r.generated_ids).toHaveLength(20);
    const byIds = await gen('-m', TINY_GPT2, '--ids', r.prompt_ids.join(','));
    expect(byIds.generated_ids).toEqual(r.generated_ids);
    const { loadTokenizer } = await import('@captune/core/node');
    expect(r.text).toBe(loadTokenizer(TINY_GPT2).decode(r.generated_ids));
  });

  it('beam and sample logprobs are the raw model log-probabilities (as lm-score gives them)', async () => {
    const prompt = '31,78,41';
    const beam = await gen(
      '-m',
      TINY_GPT2,
      '--ids',
      prompt,
      '--search',
      'beam',
      '--num-beams',
      '3',
      '--max-new-tokens',
      '6',
    );
    const sample = await gen(
      '-m',
      TINY_GPT2,
      '--ids',
      prompt,
      '--search',
      'sample',
      '--temperature',
      '0.7',
      '--top-k',
      '5',
      '--seed',
      '3',
      '--max-new-tokens',
      '6',
    );
    for (const r of [beam, sample]) {
      expect(r.generated_ids).toHaveLength(6);
      const s = await lmScore(TINY_GPT2, [...r.prompt_ids, ...r.generated_ids]);
      expect(maxAbsDiff(r.logprobs, s.logprobs.slice(3) as number[])).toBeLessThan(1e-4);
    }
    // Beam search maximises the sum: at least as likely as the greedy continuation.
    const g = await gen('-m', TINY_GPT2, '--ids', prompt, '--max-new-tokens', '6');
    const sum = (x: number[]) => x.reduce((a, b) => a + b, 0);
    expect(sum(beam.logprobs)).toBeGreaterThanOrEqual(sum(g.logprobs) - 1e-5);
    // Seeded: the same seed gives the same sample; top-k 1 is greedy.
    const again = await gen(
      '-m',
      TINY_GPT2,
      '--ids',
      prompt,
      '--search',
      'sample',
      '--temperature',
      '0.7',
      '--top-k',
      '5',
      '--seed',
      '3',
      '--max-new-tokens',
      '6',
    );
    expect(again.generated_ids).toEqual(sample.generated_ids);
    const k1 = await gen(
      '-m',
      TINY_GPT2,
      '--ids',
      prompt,
      '--search',
      'sample',
      '--top-k',
      '1',
      '--max-new-tokens',
      '6',
    );
    expect(k1.generated_ids).toEqual(g.generated_ids);
  });

  it('--no-repeat-ngram-size 1 never repeats a token of the prompt or continuation', async () => {
    const r = await gen(
      '-m',
      TINY_GPT2,
      '--ids',
      greedy.prompt_ids.join(','),
      '--no-repeat-ngram-size',
      '1',
      '--max-new-tokens',
      '10',
    );
    const all = [...r.prompt_ids, ...r.generated_ids];
    expect(new Set(all).size).toBe(all.length);
  });

  it('human output shows the ids, logprobs and text', async () => {
    const r = await runCaptured(
      'generate',
      '-m',
      TINY_GPT2,
      '--ids',
      greedy.prompt_ids.join(','),
      '--max-new-tokens',
      '3',
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`prompt ids (6): ${greedy.prompt_ids.join(' ')}\n`);
    expect(r.stdout).toContain(
      `generated ids (3, ended by --max-new-tokens): ${greedy.generated_ids.slice(0, 3).join(' ')}\n`,
    );
    expect(r.stdout).toContain('text: "999"\n');
  });

  it('ids outside the vocabulary and too-long requests fail with one line (exit 1)', async () => {
    const r = await runCaptured('generate', '-m', TINY_GPT2, '--ids', '5,300');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `captune generate: --ids: token id 300 is outside the vocabulary of ${TINY_GPT2} (ids 0…299)\n`,
    );
    const long = await runCaptured(
      'generate',
      '-m',
      TINY_GPT2,
      '--ids',
      '5',
      '--max-new-tokens',
      '65',
    );
    expect(long.code).toBe(1);
    expect(long.stderr).toMatch(/exceeds the 64 positions of /);
  });

  it('bad usage exits 2 with the problem', async () => {
    const cases: [string[], string][] = [
      [['-m', TINY_GPT2], 'missing the prompt'],
      [['-m', TINY_GPT2, '--text', 'a', '--ids', '1'], 'either --text or --ids'],
      [['-m', TINY_GPT2, '--ids', '1,x'], '"x" is not a token id'],
      [
        ['-m', TINY_GPT2, '--ids', '1', '--search', 'best'],
        '--search must be one of greedy, beam, sample',
      ],
      [['-m', TINY_GPT2, '--ids', '1', '--top-k', '3'], '--top-k applies only to --search sample'],
      [
        ['-m', TINY_GPT2, '--ids', '1', '--search', 'sample', '--top-p', '1.5'],
        '--top-p must be a number in (0, 1]',
      ],
      [
        ['-m', TINY_GPT2, '--ids', '1', '--max-new-tokens', '0'],
        '--max-new-tokens must be an integer ≥ 1',
      ],
      [['--ids', '1'], 'missing --model'],
    ];
    for (const [args, message] of cases) {
      const r = await runCaptured('generate', ...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toContain(message);
    }
  });
});
