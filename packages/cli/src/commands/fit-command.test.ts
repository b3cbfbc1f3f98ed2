import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readAlignmentFile } from '@captune/metrics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// Core's PNG writer for tests (the CLI package does not depend on sharp).
import { encodeTestPng } from '../../../core/src/node/image-test-png.js';
import { TINY_CLIP, TINY_GPT2 } from './testing/cli-fixtures.js';
import { formatFitSummary } from './fit-command.js';
import { runCaptured, runJson } from './testing/run-captured.js';

interface FitJson {
  method: string;
  out: string;
  images: number;
  rows: number;
  solver: string;
  fitSeconds: number;
  embedSeconds: number;
  totalSeconds: number;
  extra: Record<string, unknown>;
  dal: {
    round: number;
    added: number;
    datastoreSize: number;
    metrics: Record<string, number> | null;
  }[];
}

const COLOURS: Record<string, [number, number, number]> = {
  red: [220, 30, 30],
  green: [30, 200, 40],
  blue: [30, 40, 220],
};
let dir: string;
let data: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'captune-fit-'));
  await mkdir(join(dir, 'images'));
  const lines: string[] = [];
  let i = 0;
  for (const split of ['train', 'train', 'train', 'val', 'test'] as const) {
    for (const [name, rgb] of Object.entries(COLOURS)) {
      const samples = Array.from(
        { length: 16 * 16 * 3 },
        (_, k) => rgb[k % 3]! + ((k * 7 + i) % 11),
      );
      await writeFile(
        join(dir, 'images', `${i}.png`),
        encodeTestPng({ width: 16, height: 16, colorType: 2, samples }),
      );
      lines.push(
        JSON.stringify({
          image: `images/${i}.png`,
          captions: [`a ${name} square`, `a square that is ${name}`],
          split,
        }),
      );
      i++;
    }
  }
  data = join(dir, 'data.jsonl');
  await writeFile(data, `${lines.join('\n')}\n`);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const base = (method: string, out: string) => [
  'fit',
  '--method',
  method,
  '--clip-model',
  TINY_CLIP,
  '--lm-model',
  TINY_GPT2,
  '--data',
  data,
  '--out',
  out,
  '--backend',
  'reference',
  '--json',
  '-q',
];
const small = [
  '--set',
  'recap.decoding.candidates=2',
  '--set',
  'recap.decoding.maxNewTokens=3',
  '--set',
  'sitta.maxNewTokens=3',
  '--set',
  'sitta.permutations=2',
];

describe('captune fit', () => {
  it('recap: fits W on every (image, caption) pair, writes the alignment, datastore and method.json', async () => {
    const out = join(dir, 'recap');
    const s = await runJson<FitJson>(...base('recap', out), ...small);
    expect(s).toMatchObject({
      method: 'recap',
      images: 9,
      rows: 18,
      solver: 'procrustes',
      dal: [],
    });
    expect(s.fitSeconds).toBeGreaterThanOrEqual(0);
    expect(s.totalSeconds).toBeGreaterThanOrEqual(s.fitSeconds);
    const manifest = JSON.parse(await readFile(join(out, 'method.json'), 'utf8'));
    expect(manifest).toMatchObject({
      format: 'captune-method',
      method: 'recap',
      config: { k: 4, solver: 'procrustes' },
    });
    const a = await readAlignmentFile(join(out, 'recap', 'alignment.safetensors'));
    expect(a.dim).toBe(16);
    expect(a.metadata.solver).toBe('procrustes');
    expect(existsSync(join(out, 'recap', 'datastore', 'datastore.json'))).toBe(true);
    // Procrustes: W is orthogonal, so it keeps norms.
    const v = Float32Array.from({ length: 16 }, (_, i) => Math.sin(i + 1));
    const norm = (x: Float32Array) => Math.hypot(...x);
    expect(norm(a.apply(v))).toBeCloseTo(norm(v), 4);
  });

  it('recap with DAL: adds synthetic captions and reports metrics after each round', async () => {
    const out = join(dir, 'recap-dal');
    const s = await runJson<FitJson>(
      ...base('recap', out),
      ...small,
      '--set',
      'recap.dal.maxImages=4',
      '--dal-rounds',
      '2',
      '--dal-fraction',
      '0.5',
      '--solver',
      'ols',
    );
    expect(s.dal.map((r) => r.round)).toEqual([1, 2]);
    expect(s.dal.map((r) => r.added)).toEqual([2, 2]);
    expect(s.dal[1]!.datastoreSize).toBe(22);
    for (const r of s.dal) expect(typeof r.metrics?.CIDEr).toBe('number');
    const manifest = JSON.parse(
      await readFile(join(out, 'recap', 'datastore', 'datastore.json'), 'utf8'),
    );
    const lines = (
      await readFile(join(out, 'recap', 'datastore', `${manifest.shards[0].name}.jsonl`), 'utf8')
    )
      .trim()
      .split('\n');
    expect(lines.length).toBe(22);
    expect(lines.filter((l) => JSON.parse(l).synthetic).length).toBe(4);
    const text = formatFitSummary({ ...s, method: 'recap', dal: s.dal as never });
    expect(text).toMatch(
      /^fitted recap \(ols\) on 9 images, 18 rows\n {2}fit [0-9.]+ s \(closed form\), embedding [0-9.]+ s, total [0-9.]+ s\n/,
    );
    expect(text).toMatch(
      /DAL round 2: \+2 captions \(datastore 22\), RefaCLIP-S [0-9.]+; .*CIDEr [0-9.]+\n$/,
    );
  });

  it('sitta: token correspondences and image–caption pairs', async () => {
    const tokens = await runJson<FitJson>(
      ...base('sitta', join(dir, 'sitta-tokens')),
      '--set',
      'sitta.maxTokens=30',
      '--set',
      'sitta.templates=["a photo of a {}.","a {}."]',
    );
    expect(tokens).toMatchObject({
      method: 'sitta',
      images: 9,
      rows: 30,
      solver: 'ols',
      extra: { source: 'tokens', vocabulary: 30 },
    });
    expect(existsSync(join(dir, 'sitta-tokens', 'sitta', 'alignment.safetensors'))).toBe(true);
    const pairs = await runJson<FitJson>(
      ...base('sitta', join(dir, 'sitta-pairs')),
      '--source',
      'pairs',
      '--solver',
      'ridge',
    );
    expect(pairs).toMatchObject({
      method: 'sitta',
      images: 9,
      solver: 'ridge',
      extra: { source: 'pairs' },
    });
    expect(pairs.rows).toBeGreaterThanOrEqual(9 * 2);
  });

  it('captune eval scores fitted folders in one table with their method names', async () => {
    const cfg = join(dir, 'run.json');
    await writeFile(
      cfg,
      JSON.stringify({
        models: { clip: TINY_CLIP, lm: TINY_GPT2 },
        data: { dataset: data },
        recap: { decoding: { candidates: 2, maxNewTokens: 3 } },
      }),
    );
    const r = await runJson<{
      split: string;
      rows: {
        label: string;
        method: string;
        metrics: Record<string, number> | null;
        images: number;
      }[];
    }>(
      'eval',
      '--config',
      cfg,
      '--checkpoint',
      join(dir, 'recap'),
      '--compare',
      join(dir, 'sitta-pairs'),
      '--split',
      'test',
      '--backend',
      'reference',
      '--json',
      '-q',
    );
    expect(r.split).toBe('test');
    expect(r.rows.map((x) => [x.method, x.images])).toEqual([
      ['recap', 3],
      ['sitta', 3],
    ]);
    for (const row of r.rows) expect(typeof row.metrics?.CIDEr).toBe('number');
  });

  it('captune caption captions images with a fitted folder, reporting bad files in order', async () => {
    const bad = join(dir, 'not-an-image.png');
    await writeFile(bad, 'hello');
    for (const method of ['recap', 'sitta-pairs']) {
      const r = await runCaptured(
        'caption',
        join(dir, 'images', '9.png'),
        bad,
        join(dir, 'images', '10.png'),
        '--model',
        join(dir, method),
        '--backend',
        'reference',
        '--json',
        '-q',
      );
      expect(r.code).toBe(1); // some input could not be captioned; the output still lists all
      const lines = JSON.parse(r.stdout) as { image: string; caption?: string; error?: string }[];
      expect(lines.map((l) => l.image)).toEqual([
        join(dir, 'images', '9.png'),
        bad,
        join(dir, 'images', '10.png'),
      ]);
      expect(typeof lines[0]!.caption).toBe('string');
      expect(lines[1]!.error).toContain('not-an-image.png');
      expect(typeof lines[2]!.caption).toBe('string');
    }
  });

  it('rejects bad usage with exit code 2', async () => {
    const r = await runCaptured('fit', '--method', 'clipcap', '--data', data);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--method must be recap or sitta, got "clipcap"');
    const s = await runCaptured('fit', '--method', 'recap', '--source', 'pairs');
    expect(s.code).toBe(2);
    expect(s.stderr).toContain('--source is a SITTA option');
    const m = await runCaptured(
      'fit',
      '--method',
      'recap',
      '--lm-model',
      TINY_GPT2,
      '--data',
      data,
    );
    expect(m.code).toBe(2);
    expect(m.stderr).toContain('no CLIP model');
  });
});
