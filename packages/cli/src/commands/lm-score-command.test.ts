import { describe, expect, it } from 'vitest';
import { GOLDENS, TINY_GPT2, TINY_OPT } from './testing/cli-fixtures.js';
import { maxAbsDiff, runCaptured, runJson } from './testing/run-captured.js';

interface Score {
  ids: number[];
  logprobs: (number | null)[];
}

const golden = GOLDENS.lm['tiny-gpt2'].lm_score;

describe('captune lm-score', () => {
  it('matches the numpy goldens on tfjs and on the reference backend (1e-4)', async () => {
    for (const backend of ['tfjs', 'reference']) {
      const r = await runJson<Score>(
        'lm-score',
        '-m',
        TINY_GPT2,
        '--ids',
        golden.ids.join(','),
        '--json',
        '-b',
        backend,
      );
      expect(Object.keys(r)).toEqual(['ids', 'logprobs']);
      expect(r.ids).toEqual(golden.ids);
      expect(r.logprobs[0]).toBeNull();
      expect(maxAbsDiff(r.logprobs, golden.logprobs)).toBeLessThan(1e-4);
    }
  });

  it('agrees with the greedy goldens of generate (same model, same positions)', async () => {
    const g = GOLDENS.lm['tiny-opt'].greedy_eos;
    const r = await runJson<Score>(
      'lm-score',
      '-m',
      TINY_OPT,
      '--ids',
      [...g.prompt_ids, ...g.generated_ids].join(','),
      '--json',
    );
    expect(maxAbsDiff(r.logprobs.slice(g.prompt_ids.length), g.logprobs)).toBeLessThan(1e-4);
  });

  it('--text tokenises as GPT-2 does; one token scores nothing', async () => {
    const r = await runJson<Score>('lm-score', '-m', TINY_GPT2, '--text', 'the cat', '--json');
    expect(r.ids).toEqual([83, 258, 269, 265]);
    const one = await runJson<Score>('lm-score', '-m', TINY_GPT2, '--ids', '7', '--json');
    expect(one).toEqual({ ids: [7], logprobs: [null] });
  });

  it('human output: a row per token and the totals', async () => {
    const r = await runCaptured('lm-score', '-m', TINY_GPT2, '--text', 'the cat');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^pos +id +token +logprob\n0 +83 +"t" +—\n1 +258 +"he" +-\d+\.\d{4}\n/,
    );
    expect(r.stdout).toMatch(
      /\n3 scored tokens: sum -\d+\.\d{4}, mean -\d+\.\d{4}, perplexity \d+\.\d{2}\n$/,
    );
  });

  it('errors: empty text, ids outside the vocabulary, sequences too long (exit 1); usage (exit 2)', async () => {
    const empty = await runCaptured('lm-score', '-m', TINY_GPT2, '--text', '');
    expect(empty).toMatchObject({
      code: 1,
      stderr: 'captune lm-score: --text: the text has no tokens: nothing to score\n',
    });
    expect((await runCaptured('lm-score', '-m', TINY_GPT2, '--ids', '1,2,999')).stderr).toBe(
      `captune lm-score: --ids: token id 999 is outside the vocabulary of ${TINY_GPT2} (ids 0…299)\n`,
    );
    const long = await runCaptured(
      'lm-score',
      '-m',
      TINY_GPT2,
      '--ids',
      Array(65).fill(5).join(','),
    );
    expect(long.stderr).toBe(
      `captune lm-score: the sequence has 65 tokens, more than the 64 positions of ${TINY_GPT2}\n`,
    );
    expect((await runCaptured('lm-score', '-m', TINY_GPT2)).code).toBe(2);
    expect((await runCaptured('lm-score', '-m', TINY_GPT2, '--ids', '1', 'extra')).code).toBe(2);
    expect(
      (await runCaptured('lm-score', '-m', TINY_GPT2, '--ids', '1', '--device', 'tpu')).code,
    ).toBe(2);
  });
});
