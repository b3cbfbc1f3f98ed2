/** The model commands through the real `captune` binary (two spawns; the rest run in-process). */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { GOLDENS, TINY_GPT2 } from './testing/cli-fixtures.js';
import { maxAbsDiff, runCaptured } from './testing/run-captured.js';

const BIN = fileURLToPath(new URL('../../bin/captune.js', import.meta.url));

function captune(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('model commands (spawned binary)', () => {
  it('lm-score --json prints the scores on stdout, exit 0', () => {
    const g = GOLDENS.lm['tiny-gpt2'].lm_score;
    const r = captune('lm-score', '--model', TINY_GPT2, '--ids', g.ids.join(','), '--json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { ids: number[]; logprobs: (number | null)[] };
    expect(maxAbsDiff(out.logprobs, g.logprobs)).toBeLessThan(1e-4);
  });

  it('a missing model folder: exit 1 and one line on stderr, nothing on stdout', () => {
    const missing = join(TINY_GPT2, 'nope');
    const r = captune('generate', '--model', missing, '--text', 'hi');
    expect(r).toEqual({
      code: 1,
      stdout: '',
      stderr: `captune generate: ${missing}: no such language model folder\n`,
    });
  });

  it('--help lists the model commands; each has its own --help', async () => {
    const top = await runCaptured('--help');
    for (const name of ['embed', 'generate', 'lm-score']) {
      expect(top.stdout).toMatch(new RegExp(`^ {2}${name} +\\S`, 'm'));
      const h = await runCaptured(name, '--help');
      expect(h.code).toBe(0);
      expect(h.stdout).toMatch(new RegExp(`^usage: captune ${name} --model`));
      expect(h.stdout).toContain('--backend B');
    }
  });
});
