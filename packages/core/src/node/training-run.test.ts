import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TrainingConfigSchema } from '../config/captune-config.js';
import { recordsOf } from '../data/caption-dataset.js';
import { toyLm, toyTokenizer, toyWorld } from '../pipelines/testing/toy-caption-world.js';
import {
  latestCheckpoint,
  listCheckpoints,
  pointedCheckpoint,
  readAdapterMeta,
  readTrainingState,
} from './training-checkpoint.js';
import { readTrainingLog } from './training-log.js';
import { CaptuneConfigSchema } from '../config/captune-config.js';
import { removeRunIfChanged } from './run-train.js';
import { runTraining, type TrainingRunInput } from './training-run.js';

const root = await mkdtemp(join(tmpdir(), 'captune-train-'));
afterAll(() => rm(root, { recursive: true, force: true }));

async function input(
  runDir: string,
  overrides: Record<string, unknown> = {},
  extra: Partial<TrainingRunInput> = {},
): Promise<TrainingRunInput> {
  const { engine, lm } = await toyLm();
  const world = toyWorld({ train: 12, val: 3 });
  return {
    engine,
    decoder: lm,
    tokenizer: toyTokenizer,
    features: world.features,
    trainRecords: recordsOf(world.dataset, 'train'),
    valRecords: recordsOf(world.dataset, 'val'),
    method: 'ituning',
    methodConfig: { bottleneck: 8, heads: 2, initStd: 0.3 },
    training: TrainingConfigSchema.parse({
      epochs: 3,
      batchSize: 8,
      checkpointEvery: 2,
      validateEvery: 3,
      valSubset: 2,
      runDir,
      seed: 4,
      optimizer: { lr: 0.02 },
      schedule: { type: 'cosine', warmupSteps: 2 },
      ...overrides,
    }),
    maxNewTokens: 4,
    score: () => ({ CIDEr: 0.5 }),
    ...extra,
  };
}

async function weights(r: {
  adapter: { engine: { read(t: unknown): Promise<unknown> }; params: readonly unknown[] };
}): Promise<Float32Array[]> {
  return Promise.all(
    r.adapter.params.map(async (p) => (await r.adapter.engine.read(p)) as Float32Array),
  );
}

describe('runTraining', () => {
  it('writes checkpoints, log and curves; an interrupted run resumed ends with the same adapter', async () => {
    const straightDir = join(root, 'straight');
    const straight = await runTraining(await input(straightDir));
    expect(straight.steps).toBe(9);
    expect(straight.totalSteps).toBe(9);
    const expected = await weights(straight);
    const log = await readTrainingLog(join(straightDir, 'log.jsonl'));
    expect(log.map((e) => e.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(log.filter((e) => e.valLoss !== undefined).map((e) => e.step)).toEqual([3, 6, 9]);
    expect(log[2]).toMatchObject({ epoch: 0, valCider: 0.5 });
    for (const e of log)
      for (const k of ['loss', 'lr', 'gradNorm', 'time'] as const)
        expect(Number.isFinite(e[k])).toBe(true);
    const svg = await readFile(join(straightDir, 'curves.svg'), 'utf8');
    expect(svg).toMatch(/^<svg /);
    expect(svg).toContain('<polyline');
    expect(svg).toContain('val CIDEr-D');
    expect(svg).toContain('optimizer step');
    expect((await listCheckpoints(straightDir)).map((c) => c.step)).toEqual([3, 8, 9]); // keep 2 + best (step 3: CIDEr never improves after)
    expect(await pointedCheckpoint(straightDir, 'best')).toBe(join(straightDir, 'ckpt-3'));
    const meta = await readAdapterMeta(join(straightDir, 'ckpt-9', 'adapter.safetensors'));
    expect(meta).toEqual({
      method: 'ituning',
      config: { bottleneck: 8, heads: 2, initStd: 0.3 },
      tokenShape: [4, 8],
      embedDim: 6,
    });
    const state = await readTrainingState(join(straightDir, 'ckpt-9'));
    expect(state).toMatchObject({
      step: 9,
      epoch: 3,
      totalSteps: 9,
      seed: 4,
      bestMetric: 0.5,
      bestStep: 3,
    });

    // Interrupted after step 5 (checkpoints at 2, 3 (best), 4), leaving debris of a killed writer.
    const dir = join(root, 'resumed');
    const stop = new Error('killed');
    await expect(
      runTraining(
        await input(
          dir,
          {},
          {
            onStep: (e) => {
              if (e.step === 5) throw stop;
            },
          },
        ),
      ),
    ).rejects.toBe(stop);
    expect(await latestCheckpoint(dir)).toBe(join(dir, 'ckpt-4'));
    // Not resuming into a run folder with checkpoints is an error, not an overwrite.
    await expect(runTraining(await input(dir))).rejects.toThrow(
      'already has checkpoints: pass --resume',
    );
    await mkdir(join(dir, 'ckpt-6.tmp'));
    await writeFile(join(dir, 'ckpt-6.tmp', 'adapter.safetensors'), 'half');
    await mkdir(join(dir, 'ckpt-7')); // a complete-looking name without its files is not used
    await writeFile(join(dir, 'ckpt-7', 'adapter.safetensors'), 'half');
    expect(await latestCheckpoint(dir)).toBe(join(dir, 'ckpt-4'));
    const notes: string[] = [];
    const resumed = await runTraining(
      await input(dir, {}, { resume: true, onNote: (n) => notes.push(n) }),
    );
    expect(resumed.resumedFrom).toBe(4);
    expect(notes.join('\n')).toContain('resumed from');
    expect(notes.join('\n')).toContain('removed 1 unfinished');
    expect((await readdir(dir)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    const got = await weights(resumed);
    got.forEach((w, i) =>
      w.forEach((v, j) => expect(Math.abs(v - expected[i]![j]!)).toBeLessThanOrEqual(1e-6)),
    );
    expect((await readTrainingLog(join(dir, 'log.jsonl'))).map((e) => e.step)).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8, 9,
    ]);
    // Resuming a finished run does nothing more.
    const again = await runTraining(await input(dir, {}, { resume: true }));
    expect(again.steps).toBe(9);
    expect(again.resumedFrom).toBe(9);
  });

  it('with a sampled softmax: trains, saves the sampler RNG, and a resumed run draws the same negatives', async () => {
    const sampled = { softmax: { type: 'sampled', negatives: 6 } };
    const straightDir = join(root, 'sampled-straight');
    const straight = await runTraining(await input(straightDir, sampled));
    const expected = await weights(straight);
    const state = await readTrainingState(join(straightDir, 'ckpt-9'));
    expect(state.samplerRng?.s).toHaveLength(4);
    // A different stream would give a different adapter: the full softmax run differs.
    const full = await weights(await runTraining(await input(join(root, 'sampled-full'))));
    expect(full.some((w, i) => w.some((v, j) => Math.abs(v - expected[i]![j]!) > 1e-4))).toBe(true);

    const dir = join(root, 'sampled-resumed');
    const stop = new Error('killed');
    await expect(
      runTraining(
        await input(dir, sampled, {
          onStep: (e) => {
            if (e.step === 5) throw stop;
          },
        }),
      ),
    ).rejects.toBe(stop);
    const resumed = await runTraining(await input(dir, sampled, { resume: true }));
    expect(resumed.resumedFrom).toBe(4);
    const got = await weights(resumed);
    got.forEach((w, i) =>
      w.forEach((v, j) => expect(Math.abs(v - expected[i]![j]!)).toBeLessThanOrEqual(1e-6)),
    );
  });

  it('removeRunIfChanged keeps a run of the same settings and removes one of others', async () => {
    const runDir = join(root, 'changed');
    const config = CaptuneConfigSchema.parse({ training: { runDir, maxSteps: 5 } });
    expect(await removeRunIfChanged(config)).toBe(false); // no run yet
    await mkdir(runDir, { recursive: true });
    await writeFile(join(runDir, 'config.json'), JSON.stringify(config));
    expect(await removeRunIfChanged(config)).toBe(false);
    expect(await readdir(runDir)).toEqual(['config.json']);
    const notes: string[] = [];
    const other = CaptuneConfigSchema.parse({ training: { runDir, maxSteps: 6 } });
    expect(await removeRunIfChanged(other, (n) => notes.push(n))).toBe(true);
    await expect(readdir(runDir)).rejects.toThrow();
    expect(notes).toEqual([`${runDir} was trained with other settings: training afresh`]);
  });

  it('refuses a malformed sampler state in a checkpoint', async () => {
    const dir = join(root, 'bad-sampler');
    await mkdir(join(dir, 'ckpt-1'), { recursive: true });
    await writeFile(
      join(dir, 'ckpt-1', 'state.json'),
      JSON.stringify({ step: 1, samplerRng: { s: [1, 2] } }),
    );
    await expect(readTrainingState(join(dir, 'ckpt-1'))).rejects.toThrow(
      'state.json: field "samplerRng" must be',
    );
  });

  it('stops early when the validation metric stops improving', async () => {
    let calls = 0;
    const dir = join(root, 'early');
    const r = await runTraining(
      await input(
        dir,
        { validateEvery: 1, earlyStopping: { patience: 2 } },
        { score: () => ({ CIDEr: ++calls === 1 ? 1 : 0.2 }) },
      ),
    );
    expect(r.stoppedEarly).toBe(true);
    expect(r.steps).toBe(3);
    expect(r.bestStep).toBe(1);
    expect((await readTrainingState(join(dir, 'ckpt-3'))).stopped).toBe('early');
  });

  it('refuses to resume with a different seed or length', async () => {
    const dir = join(root, 'straight');
    await expect(runTraining(await input(dir, { seed: 5 }, { resume: true }))).rejects.toThrow(
      'seed 4, the config says 5',
    );
    await expect(runTraining(await input(dir, { epochs: 4 }, { resume: true }))).rejects.toThrow(
      'has 9 steps, this config gives 12',
    );
  });
});
