import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bombPng } from './testing/broken-images.js';
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
  it('--json gives one object per input in input order; bad inputs make the exit code 1 unless --skip-bad', async () => {
    const dir = join(fx.dir, 'few');
    await mkdir(dir);
    const source = join(fx.dir, 'shapes', 'images', '000000.png');
    const inputs = ['good.png', 'empty.png', 'alpha.png', 'bomb.png', 'missing.png'].map((n) =>
      join(dir, n),
    );
    await writeFile(inputs[0]!, await sharp(source).png().toBuffer());
    await writeFile(inputs[1]!, Buffer.alloc(0));
    await writeFile(inputs[2]!, await sharp(source).ensureAlpha(0.5).png().toBuffer());
    await writeFile(inputs[3]!, bombPng(30000, 30000));
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
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('captune caption: 3 of 5 images could not be captioned\n');
    const out = JSON.parse(r.stdout) as Line[];
    expect(out.map((l) => l.image)).toEqual(inputs);
    expect(out[0]).toEqual({ image: inputs[0], caption: expect.any(String) });
    expect(out[1]).toEqual({
      image: inputs[1],
      error: `${inputs[1]}: cannot decode image: the file is empty`,
    });
    // The same image with an alpha channel captions the same (alpha is dropped).
    expect(out[2]).toEqual({ image: inputs[2], caption: out[0]!.caption });
    expect(out[3]!.error).toMatch(
      /^.*bomb\.png: image is 30000×30000 = 900000000 pixels, above the limit of \d+ \(decompression bomb guard/,
    );
    expect(out[4]!.error).toBe(`${inputs[4]}: cannot read image: no such file`);

    const text = await runCaptured('caption', '--model', runDir, '--quiet', inputs[0]!, inputs[1]!);
    expect(text.code).toBe(1);
    expect(text.stdout).toBe(`${inputs[0]}: ${out[0]!.caption}\n`);
    expect(text.stderr).toBe(
      `captune caption: ${inputs[1]}: cannot decode image: the file is empty\ncaptune caption: 1 of 2 images could not be captioned\n`,
    );
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
    const strict = await runCaptured(
      'caption',
      '--model',
      runDir,
      '--skip-bad',
      '--strict',
      inputs[1]!,
      inputs[0]!,
    );
    expect(strict.code).toBe(1);
    expect(strict.stdout).toBe(`${inputs[0]}: ${out[0]!.caption}\n`);
    expect(strict.stderr).toContain('captune caption: skipped 1 unreadable image(s)\n');
    const clean = await runCaptured(
      'caption',
      '--model',
      runDir,
      '--quiet',
      inputs[2]!,
      inputs[0]!,
    );
    expect([clean.code, clean.stderr]).toEqual([0, '']);
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
