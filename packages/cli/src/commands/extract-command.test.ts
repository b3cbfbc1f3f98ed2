import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExtractJson } from './extract-command.js';
import { parseShard } from './extract-command.js';
// Core's PNG writer for tests (the CLI package does not depend on sharp).
import { encodeTestPng } from '../../../core/src/node/image-test-png.js';
import { TINY_CLIP } from './testing/cli-fixtures.js';
import { runCaptured, runJson } from './testing/run-captured.js';

let dir: string;
let imgs: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'captune-extract-'));
  imgs = join(dir, 'imgs');
  await mkdir(join(imgs, 'sub'), { recursive: true });
  for (let i = 0; i < 5; i++) {
    const samples = Array.from({ length: 24 * 30 * 3 }, (_, k) => (k * (i + 3) + 40 * i) % 256);
    const png = encodeTestPng({ width: 24, height: 30, colorType: 2, samples });
    await writeFile(join(imgs, i % 2 ? `sub/${i}.png` : `${i}.png`), png);
  }
  await writeFile(join(imgs, 'broken.jpg'), 'not a jpeg');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const base = (out: string) => [
  'extract',
  '-m',
  TINY_CLIP,
  '--data',
  imgs,
  '--out',
  out,
  '--backend',
  'reference',
  '--shard-size',
  '2',
];

describe('captune extract', () => {
  it('extracts a folder, reports the bad file, and reuses the cache on a re-run', async () => {
    const out = join(dir, 'feats');
    const first = await runJson<ExtractJson>(...base(out), '--json', '--quiet');
    expect(first).toMatchObject({ extracted: 5, reused: 0, shards: 3, total: 6, out });
    expect(first.skipped).toEqual([
      {
        id: 'broken.jpg',
        image: join(imgs, 'broken.jpg'),
        error: expect.stringMatching(/broken\.jpg: cannot decode image: /),
      },
    ]);
    const again = await runCaptured(...base(out));
    expect(again.code).toBe(0);
    expect(again.stdout).toBe(
      `${imgs}: 6 records: extracted 0, reused 5, skipped 1; 0 shard files written to ${out}\n`,
    );
    expect(again.stderr).toMatch(/skipped 1 bad image:\n {2}.*broken\.jpg: cannot decode image/);
  });

  it('--shard i/N runs write their own parts; --merge folds them', async () => {
    const out = join(dir, 'sharded');
    const a = await runJson<ExtractJson>(
      ...base(out),
      '--json',
      '-q',
      '--shard',
      '0/2',
      '--what',
      'embeds',
    );
    const b = await runJson<ExtractJson>(
      ...base(out),
      '--json',
      '-q',
      '--shard',
      '1/2',
      '--what',
      'embeds',
    );
    expect(a.total + b.total).toBe(6);
    expect(a.extracted + b.extracted).toBe(5);
    expect((await readdir(join(out, 'parts'))).length).toBe(2);
    const merged = await runJson<{ parts: number; images: number }>(
      'extract',
      '--merge',
      out,
      '--json',
    );
    expect(merged).toMatchObject({ parts: 2, images: 5, models: 1 });
    expect(await readdir(join(out, 'parts'))).toEqual([]);
    const rerun = await runJson<ExtractJson>(...base(out), '--json', '-q', '--what', 'embeds');
    expect(rerun).toMatchObject({ extracted: 0, reused: 5 });
  });

  it('--no-skip-bad fails with a one-line message naming the record', async () => {
    const r = await runCaptured(...base(join(dir, 'strict')), '--no-skip-bad', '-q');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^captune extract: record "broken\.jpg": .*broken\.jpg: cannot decode image: [^\n]*\n$/,
    );
  });

  it('bad usage exits 2 naming the option', async () => {
    const cases: [string[], string][] = [
      [['extract', '--data', imgs], 'missing --model'],
      [['extract', '-m', TINY_CLIP], 'missing --data'],
      [[...base(dir), '--shard', '2/2'], '--shard must be i/N with 0 ≤ i < N'],
      [[...base(dir), '--dtype', 'f8'], '--dtype must be one of f16, f32, got "f8"'],
      [[...base(dir), '--split', 'dev'], '--split must be one of'],
      [[...base(dir), '--skip-bad', '--no-skip-bad'], 'not both'],
    ];
    for (const [args, message] of cases) {
      const r = await runCaptured(...args);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(message);
    }
    const m = await runCaptured('extract', '--merge', join(dir, 'nothing-here'));
    expect(m.code).toBe(1);
    expect(m.stderr).toContain('not a feature cache');
  });

  it('--help documents sharding on Slurm and Kubernetes', async () => {
    const r = await runCaptured('extract', '--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('$SLURM_ARRAY_TASK_ID/8');
    expect(r.stdout).toContain('$JOB_COMPLETION_INDEX/8');
  });

  it('parses --shard', () => {
    expect(parseShard(undefined)).toEqual({ index: 0, count: 1 });
    expect(parseShard('3/8')).toEqual({ index: 3, count: 8 });
    expect(() => parseShard('8/8')).toThrow('--shard must be i/N');
    expect(() => parseShard('a/b')).toThrow('--shard must be i/N');
  });
});
