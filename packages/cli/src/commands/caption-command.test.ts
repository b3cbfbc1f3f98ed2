import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeImageZoo } from './testing/bad-images.js';
import { runCaptured, runJson } from './testing/run-captured.js';
import { trainFixture, type TrainFixture } from './testing/train-fixture.js';

let fx: TrainFixture;
let runDir: string;
beforeAll(async () => {
  fx = await trainFixture();
  const cfg = await fx.config('cap-run', ['maxSteps: 4']);
  const r = await runCaptured('train', '--config', cfg, '--quiet');
  if (r.code !== 0) throw new Error(r.stderr);
  runDir = join(fx.dir, 'cap-run');
}, 180_000);
afterAll(() => rm(fx.dir, { recursive: true, force: true }));

type Line = { image: string; caption?: string; error?: string; attentionMaps?: string[] };

describe('captune caption', () => {
  it('--json gives one object per input in input order: captions for good files, errors for bad ones', async () => {
    const dir = join(fx.dir, 'zoo');
    await mkdir(dir);
    const zoo = await writeImageZoo(dir, join(fx.dir, 'shapes', 'images', '000000.png'));
    const inputs = [...zoo.map(([n]) => join(dir, n)), join(dir, 'missing.png')];
    const r = await runCaptured(
      'caption',
      '--model',
      runDir,
      '--json',
      '--num-beams',
      '2',
      '--batch-size',
      '3',
      ...inputs,
    );
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as Line[];
    expect(out.map((l) => l.image)).toEqual(inputs);
    zoo.forEach(([name, good], i) => {
      if (good) expect(out[i], name).toEqual({ image: inputs[i], caption: expect.any(String) });
      else
        expect(out[i]!.error, name).toMatch(
          new RegExp(`^${inputs[i]!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `),
        );
    });
    expect(out.find((l) => l.image.endsWith('bomb.png'))!.error).toContain('decompression bomb');
    expect(out.find((l) => l.image.endsWith('empty.png'))!.error).toContain('empty');
    expect(out[out.length - 1]!.error).toBe(
      `${inputs[inputs.length - 1]}: cannot read image: no such file`,
    );
    // The same image in another container captions the same.
    expect(out.find((l) => l.image.endsWith('alpha.png'))!.caption).toBe(out[0]!.caption);

    const strict = await runCaptured(
      'caption',
      '--model',
      runDir,
      '--strict',
      '--quiet',
      inputs[0]!,
      inputs[1]!,
    );
    expect(strict.code).toBe(1);
    expect(strict.stdout).toBe(`${inputs[0]}: ${out[0]!.caption}\n`);
    expect(strict.stderr).toContain(`${inputs[1]}: cannot decode image: the file is empty`);
    const skipped = await runJson<Line[]>(
      'caption',
      '--model',
      runDir,
      '--json',
      '--skip-bad',
      '--quiet',
      inputs[1]!,
      inputs[0]!,
    );
    expect(skipped).toEqual([{ image: inputs[0], caption: out[0]!.caption }]);
  }, 180_000);

  it('--attention-maps writes one heatmap PNG per generated token', async () => {
    const maps = join(fx.dir, 'maps');
    const image = join(fx.dir, 'shapes', 'images', '000001.png');
    const [line] = await runJson<Line[]>(
      'caption',
      '--model',
      join(fx.dir, 'cap-run.yaml'),
      '--json',
      '--attention-maps',
      maps,
      image,
    );
    expect(line!.attentionMaps!.length).toBeGreaterThan(0);
    expect((await readdir(maps)).sort()).toEqual(
      line!.attentionMaps!.map((p) => p.slice(maps.length + 1)).sort(),
    );
    const meta = await sharp(line!.attentionMaps![0]!).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 224, 224]);
  }, 120_000);

  it('without --model and without a demo run, says to run captune demo', async () => {
    const prev = process.env['CAPTUNE_CACHE'];
    process.env['CAPTUNE_CACHE'] = join(fx.dir, 'empty-cache');
    try {
      const r = await runCaptured('caption', join(fx.dir, 'shapes', 'images', '000001.png'));
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('run `captune demo` first');
    } finally {
      if (prev === undefined) delete process.env['CAPTUNE_CACHE'];
      else process.env['CAPTUNE_CACHE'] = prev;
    }
    expect((await runCaptured('caption')).code).toBe(2);
  });
});
