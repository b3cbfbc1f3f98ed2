/**
 * `captune demo --quick` end to end on the shipped shapes CLIP and GPT-2 (a few minutes on two
 * cores): the trained I-Tuning captioner must beat the frozen GPT-2 on CIDEr-D and on naming the
 * scenes' colours. Thresholds are relative to the baseline only, so a retrained shapes CLIP or
 * GPT-2 does not break the test. A second run reuses the cached data and run.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as core from '@captune/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_SIZES, demoTraining } from './demo-command.js';
import { shapesAccuracy } from './demo-report.js';
import { runCaptured } from './testing/run-captured.js';

interface DemoJson {
  method: string;
  metrics: Record<string, number>;
  baseline: Record<string, number>;
  shapes: Record<
    'trained' | 'baseline',
    { exact: number; colours: number; kinds: number; images: number }
  >;
  samples: { image: string; caption: string; references: string[] }[];
  timings: Record<string, number>;
  training: { steps: number; seconds: number; softmax: { type: string; negatives: number } };
}

describe('shapesAccuracy', () => {
  it('checks captions against the scene each image index was generated from', () => {
    const scenes = [0, 1, 2].map((i) => core.generateScene(0, i));
    const right = (i: number) => core.captionScene(scenes[i]!)[0]!;
    const ev = {
      records: [0, 1, 2].map((i) => ({
        id: `images/00000${i}.png`,
        image: `/x/images/00000${i}.png`,
      })),
      captions: [
        { id: 'images/000000.png', caption: right(0) },
        { id: 'images/000001.png', caption: right(1) },
        { id: 'images/000002.png', caption: 'a white background' },
      ],
    };
    expect(shapesAccuracy(core, ev)).toEqual({
      exact: 0.6667,
      colours: 0.6667,
      kinds: 0.6667,
      images: 3,
    });
    expect(() =>
      shapesAccuracy(core, { records: [{ id: 'a', image: 'a.jpg' }], captions: [] }),
    ).toThrow('a.jpg: not a shapes demo image');
  });

  it('trains with the shapes recipe: sampled softmax, cosine with 10% warm-up, batch 16', () => {
    const t = demoTraining(DEMO_SIZES.full, 1e-2);
    expect(t).toMatchObject({
      batchSize: 16,
      maxSteps: DEMO_SIZES.full.steps,
      optimizer: { lr: 1e-2 },
    });
    expect(t.schedule).toEqual({
      type: 'cosine',
      warmupSteps: DEMO_SIZES.full.steps / 10,
      minLrRatio: 0.1,
    });
    expect(t.softmax.type).toBe('sampled');
    expect(core.validateConfig({ training: t }, 'test').training.softmax).toEqual(t.softmax);
  });
});

describe('captune demo --quick', () => {
  let dir: string;
  let prevCache: string | undefined;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'captune-demo-'));
    prevCache = process.env['CAPTUNE_CACHE'];
    process.env['CAPTUNE_CACHE'] = dir;
  });

  afterAll(async () => {
    if (prevCache === undefined) delete process.env['CAPTUNE_CACHE'];
    else process.env['CAPTUNE_CACHE'] = prevCache;
    await rm(dir, { recursive: true, force: true });
  });

  it('trains a captioner that beats the frozen GPT-2, reports colours and kinds, and reuses its cache', async () => {
    const r = await runCaptured('demo', '--quick', '--json', '--quiet');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout) as DemoJson;
    expect(s.method).toBe('ituning');
    expect(s.training).toMatchObject({
      steps: DEMO_SIZES.quick.steps,
      softmax: { type: 'sampled' },
    });
    const test = DEMO_SIZES.quick.images / 10;
    for (const k of ['trained', 'baseline'] as const) {
      expect(s.shapes[k].images).toBe(test);
      for (const m of ['exact', 'colours', 'kinds'] as const)
        expect(s.shapes[k][m]).toBeGreaterThanOrEqual(0);
    }
    // The frozen LM writes one caption for every image; the adapter must follow the image.
    expect(s.metrics['CIDEr']!).toBeGreaterThan(s.baseline['CIDEr']!);
    expect(s.shapes.trained.colours).toBeGreaterThan(s.shapes.baseline.colours);
    expect(new Set(s.samples.map((x) => x.caption)).size).toBeGreaterThan(1);

    const again = await runCaptured('demo', '--quick');
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('resumed from');
    expect(again.stderr).not.toContain('training afresh');
    expect(again.stdout).toMatch(/captioner\s+.*CIDEr.*colours\s+kinds\s+exact/);
    expect(again.stdout).toMatch(/ituning \(trained\)/);
    expect(again.stdout).toMatch(/frozen GPT-2, no adapter/);
    expect(again.stdout).toMatch(/timings \(s\): data [\d.]+, train [\d.]+/);
  }, 1_200_000);
});
