import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { EmbedResult } from './embed-command.js';
import { FIXTURES, GOLDENS, TINY_CLIP } from './testing/cli-fixtures.js';
import { maxAbsDiff, runCaptured, runJson } from './testing/run-captured.js';

const tmp = mkdtempSync(join(tmpdir(), 'captune-embed-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const g = GOLDENS.clip;
const images = g.images.map((x) => join(FIXTURES, x.file));
const texts = g.texts.map((x) => x.text);
const inputs = [...images.flatMap((p) => ['--image', p]), ...texts.flatMap((t) => ['--text', t])];

function expectGoldens(r: EmbedResult, tol: number): void {
  expect(r.images.map((x) => x.path)).toEqual(images);
  expect(r.texts.map((x) => x.text)).toEqual(texts);
  r.images.forEach((x, i) => {
    expect(maxAbsDiff(x.raw, g.images[i]!.raw)).toBeLessThan(tol);
    expect(maxAbsDiff(x.embedding, g.images[i]!.embedding)).toBeLessThan(tol);
  });
  r.texts.forEach((x, i) => {
    expect(maxAbsDiff(x.raw, g.texts[i]!.raw)).toBeLessThan(tol);
    expect(maxAbsDiff(x.embedding, g.texts[i]!.embedding)).toBeLessThan(tol);
  });
}

describe('captune embed', () => {
  it('matches the numpy goldens on tfjs (PNG decode, PIL-exact resize and crop, both towers)', async () => {
    const r = await runJson<EmbedResult>(
      'embed',
      '--model',
      TINY_CLIP,
      ...inputs,
      '--json',
      '--batch-size',
      '1',
    );
    expectGoldens(r, 1e-4);
    expect(Math.hypot(...r.images[0]!.embedding)).toBeCloseTo(1, 5);
  });

  it('--backend reference matches the goldens and tfjs within 1e-4', async () => {
    const ref = await runJson<EmbedResult>(
      'embed',
      '-m',
      TINY_CLIP,
      ...inputs,
      '--json',
      '--backend',
      'reference',
    );
    expectGoldens(ref, 1e-5);
    const tfjs = await runJson<EmbedResult>(
      'embed',
      '-m',
      TINY_CLIP,
      ...inputs,
      '--json',
      '--backend',
      'tfjs',
    );
    for (const k of ['images', 'texts'] as const) {
      ref[k].forEach((x, i) => expect(maxAbsDiff(x.raw, tfjs[k][i]!.raw)).toBeLessThan(1e-4));
    }
  });

  it('texts only: the text tower alone, from a folder without preprocessor_config.json', async () => {
    const folder = join(tmp, 'text-only');
    const { cpSync } = await import('node:fs');
    cpSync(TINY_CLIP, folder, { recursive: true });
    rmSync(join(folder, 'preprocessor_config.json'));
    const r = await runJson<EmbedResult>('embed', '-m', folder, '-t', texts[1]!, '--json');
    expect(r.images).toEqual([]);
    expect(maxAbsDiff(r.texts[0]!.embedding, g.texts[1]!.embedding)).toBeLessThan(1e-4);
    const img = await runCaptured('embed', '-m', folder, '-i', images[0]!);
    expect(img.code).toBe(1);
    expect(img.stderr).toBe(
      `captune embed: ${folder}: missing preprocessor_config.json (needed to prepare images for the vision tower)\n`,
    );
  });

  it('human output: dims, first values and the image × text cosine table', async () => {
    const r = await runCaptured('embed', '-m', TINY_CLIP, ...inputs);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^CLIP .* on tfjs\/\w+: 2 images, 2 texts, 16-dim embeddings\n/);
    expect(r.stdout).toContain('cosine similarity (image × text):\n          text 1   text 2\n');
    const fmt = (x: number) => x.toFixed(4).padStart(7);
    expect(r.stdout).toContain(`image 1  ${fmt(g.cosine[0]![0]!)}  ${fmt(g.cosine[0]![1]!)}\n`);
    expect(r.stdout).toContain(`image 2  ${fmt(g.cosine[1]![0]!)}  ${fmt(g.cosine[1]![1]!)}\n`);
  });

  it('a file that is not an image fails with one line naming it (exit 1)', async () => {
    const bad = join(tmp, 'broken.png');
    writeFileSync(bad, 'not a png at all');
    const r = await runCaptured('embed', '-m', TINY_CLIP, '-i', images[0]!, '-i', bad);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(
      new RegExp(
        `^captune embed: ${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: cannot decode image: [^\\n]+\\n$`,
      ),
    );
    const missing = await runCaptured('embed', '-m', TINY_CLIP, '-i', join(tmp, 'nope.jpg'));
    expect(missing.stderr).toBe(
      `captune embed: ${join(tmp, 'nope.jpg')}: cannot read image: no such file\n`,
    );
  });

  it('bad usage exits 2; a missing model folder exits 1 with one line', async () => {
    expect((await runCaptured('embed', '-t', 'x')).code).toBe(2);
    expect((await runCaptured('embed', '-m', TINY_CLIP)).stderr).toContain('nothing to embed');
    expect((await runCaptured('embed', '-m', TINY_CLIP, '-t', 'x', '--batch-size', '0')).code).toBe(
      2,
    );
    const b = await runCaptured('embed', '-m', TINY_CLIP, '-t', 'x', '--backend', 'cuda');
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(
      /^captune embed: --backend must be one of tfjs, onnx, webgpu, reference, got "cuda"\n/,
    );
    const missing = join(tmp, 'no-model');
    const m = await runCaptured('embed', '-m', missing, '-t', 'x');
    expect(m.code).toBe(1);
    expect(m.stderr).toBe(`captune embed: ${missing}: no such CLIP model folder\n`);
  });

  it('an unavailable backend explains itself (exit 1)', async () => {
    const r = await runCaptured(
      'embed',
      '-m',
      TINY_CLIP,
      '-t',
      'x',
      '--backend',
      'reference',
      '--device',
      'wasm',
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'captune embed: backend "reference" on device "wasm" is unavailable: backend "reference" does not drive device "wasm". Use one of: cpu.\n',
    );
  });
});
