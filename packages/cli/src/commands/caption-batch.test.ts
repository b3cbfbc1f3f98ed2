/**
 * Issue 4 acceptance: `captune caption` over 100 files — 80 good ones in odd but valid layouts
 * and 20 broken in different ways — with the default captioner (no --model: the shapes
 * I-Tuning run in $CAPTUNE_CACHE/shapes-demo, trained here for a few steps on the shipped
 * shapes CLIP and GPT-2). Every good file gets a caption in input order, every bad one an error
 * naming it, the exit code says some inputs failed, and nothing prints a stack trace.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shapesClipDir, shapesGpt2Dir } from '../../../core/src/node/shapes-assets.js';
import { writeShapesDataset } from '../../../core/src/node/shapes-dataset.js';
import { writeImageBatch, type BatchInput } from './testing/image-batch.js';
import { runCaptured } from './testing/run-captured.js';

let dir: string;
let inputs: BatchInput[];
let prevCache: string | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'captune-caption-batch-'));
  prevCache = process.env['CAPTUNE_CACHE'];
  process.env['CAPTUNE_CACHE'] = join(dir, 'cache');
  await writeShapesDataset(join(dir, 'shapes'), {
    count: 16,
    seed: 4,
    size: 32,
    val: 0.25,
    test: 0.25,
  });
  const config = join(dir, 'train.yaml');
  await writeFile(
    config,
    [
      'models:',
      `  clip: ${shapesClipDir()}`,
      `  lm: ${shapesGpt2Dir()}`,
      'method: ituning',
      'ituning: { bottleneck: 8, heads: 1 }',
      'compute: { backend: tfjs }',
      `data: { dataset: ${join(dir, 'shapes', 'captions.jsonl')} }`,
      'training:',
      '  epochs: 1',
      '  batchSize: 8',
      '  maxSteps: 1',
      '  maxCaptionTokens: 8',
      '  validateEvery: 100',
      '  checkpointEvery: 100',
      `  runDir: ${join(dir, 'cache', 'shapes-demo', 'run-ituning')}`,
      'decoding: { numBeams: 2, maxNewTokens: 5 }',
      '',
    ].join('\n'),
  );
  const r = await runCaptured('train', '--config', config, '--quiet');
  if (r.code !== 0) throw new Error(r.stderr);
  inputs = await writeImageBatch(join(dir, 'batch'));
}, 300_000);

afterAll(async () => {
  if (prevCache === undefined) delete process.env['CAPTUNE_CACHE'];
  else process.env['CAPTUNE_CACHE'] = prevCache;
  await rm(dir, { recursive: true, force: true });
});

type Line = { image: string; caption?: string; error?: string };

const STACK = /\n\s+at |Error: .*\n|node:internal/;

function checkBad(input: BatchInput, error: string | undefined): void {
  if (input.good) throw new Error('checkBad: a good input');
  expect(error, input.path).toBeDefined();
  expect(error!.startsWith(`${input.path}: `), `${error} names ${input.path}`).toBe(true);
  expect(error!.slice(input.path.length + 2), input.path).toMatch(input.reason);
  expect(error, input.path).not.toContain('\n');
}

describe('captune caption over a batch of 100 files', () => {
  it('has 80 good and 20 broken inputs', () => {
    expect(inputs).toHaveLength(100);
    expect(inputs.filter((i) => i.good)).toHaveLength(80);
    expect(new Set(inputs.map((i) => i.path)).size).toBe(100);
  });

  it('--json: a caption for each of the 80 good files and an error naming each of the 20 bad ones, in input order', async () => {
    const r = await runCaptured('caption', '--json', ...inputs.map((i) => i.path));
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).not.toMatch(STACK);
    const out = JSON.parse(r.stdout) as Line[];
    expect(out.map((l) => l.image)).toEqual(inputs.map((i) => i.path));
    inputs.forEach((input, k) => {
      const line = out[k]!;
      if (input.good) {
        expect(line, `${input.path} (${input.kind})`).toEqual({
          image: input.path,
          caption: expect.any(String),
        });
        expect(line.caption!.trim().length, `${input.path} (${input.kind})`).toBeGreaterThan(0);
      } else {
        expect(Object.keys(line).sort(), input.path).toEqual(['error', 'image']);
        checkBad(input, line.error);
      }
    });
    expect(out.filter((l) => 'caption' in l)).toHaveLength(80);
    expect(r.stderr).toContain('20 of 100 images could not be captioned');
  }, 600_000);

  it('text mode: "<path>: <caption>" lines for the good files on stdout, one error line per bad file on stderr', async () => {
    const r = await runCaptured('caption', '--quiet', ...inputs.map((i) => i.path));
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).not.toMatch(STACK);
    const lines = r.stdout.split('\n');
    expect(lines.pop()).toBe('');
    const good = inputs.filter((i) => i.good);
    expect(lines).toHaveLength(80);
    lines.forEach((line, k) => {
      const prefix = `${good[k]!.path}: `;
      expect(line.startsWith(prefix), `${line} names ${prefix}`).toBe(true);
      expect(line.slice(prefix.length).trim().length, line).toBeGreaterThan(0);
    });
    const errors = r.stderr.trimEnd().split('\n');
    const bad = inputs.filter((i) => !i.good);
    expect(errors).toHaveLength(21);
    bad.forEach((input, k) => {
      expect(errors[k]!.startsWith('captune caption: '), errors[k]).toBe(true);
      checkBad(input, errors[k]!.slice('captune caption: '.length));
    });
    expect(errors[20]).toBe('captune caption: 20 of 100 images could not be captioned');
  }, 600_000);
});
