import { spawn } from 'node:child_process';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../../core/src/random/rng.js';
import { SafetensorsFile } from '../../../core/src/node/safetensors-file.js';
import {
  isCompleteCheckpoint,
  latestCheckpoint,
  readAdapterMeta,
  readTrainingState,
} from '../../../core/src/node/training-checkpoint.js';
import { runCaptured, runJson } from './testing/run-captured.js';
import { trainFixture, type TrainFixture } from './testing/train-fixture.js';

const BIN = fileURLToPath(new URL('../../bin/captune.js', import.meta.url));
/** SIGKILLs per resume test; the acceptance run uses CAPTUNE_SIGKILL_RUNS=10. */
const KILLS = Number(process.env['CAPTUNE_SIGKILL_RUNS'] ?? 3);

let fx: TrainFixture;
beforeAll(async () => {
  fx = await trainFixture();
}, 120_000);
afterAll(() => rm(fx.dir, { recursive: true, force: true }));

async function adapterWeights(ckpt: string): Promise<Map<string, Float32Array>> {
  const f = await SafetensorsFile.open(join(ckpt, 'adapter.safetensors'));
  try {
    const out = new Map<string, Float32Array>();
    for (const n of f.names()) out.set(n, (await f.read(n)).data as Float32Array);
    return out;
  } finally {
    await f.close();
  }
}

function maxDiff(a: Map<string, Float32Array>, b: Map<string, Float32Array>): number {
  expect([...b.keys()]).toEqual([...a.keys()]);
  let m = 0;
  for (const [k, x] of a) x.forEach((v, i) => (m = Math.max(m, Math.abs(v - b.get(k)![i]!))));
  return m;
}

interface TrainSummary {
  runDir: string;
  steps: number;
  totalSteps: number;
  resumedFrom: number | null;
  lastCheckpoint: string;
}

describe('captune config', () => {
  it('--print shows the resolved config with defaults and overrides; bad keys name their path', async () => {
    const cfg = await fx.config('cfg-run');
    const y = await runCaptured(
      'config',
      '--print',
      '--config',
      cfg,
      '--set',
      'training.epochs=7',
      '--device',
      'wasm',
    );
    expect(y.code).toBe(0);
    expect(y.stdout).toContain('epochs: 7');
    expect(y.stdout).toContain('gradAccumulation: 1');
    expect(y.stdout).toContain('device: wasm');
    expect(y.stdout).toContain(`runDir: ${join(fx.dir, 'cfg-run')}`);
    const j = JSON.parse((await runCaptured('config', '--print', '--json')).stdout) as {
      training: { batchSize: number };
      decoding: { numBeams: number };
    };
    expect(j.training.batchSize).toBe(32);
    expect(j.decoding.numBeams).toBe(5);
    const bad = await runCaptured(
      'config',
      '--print',
      '--config',
      cfg,
      '--set',
      'training.batchsize=3',
    );
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe(
      'captune config: --set training.batchsize=3: unknown key training.batchsize (did you mean batchSize?)\n',
    );
    const wrong = await runCaptured(
      'config',
      '--print',
      '--config',
      cfg,
      '--set',
      'training.batchSize="32"',
    );
    expect(wrong.stderr).toBe(
      `captune config: ${cfg}: training.batchSize: expected a positive integer, got "32"\n`,
    );
    expect((await runCaptured('config')).code).toBe(2);
  });
});

describe('captune train / eval', () => {
  it('trains, evaluates to COCO results, and resumes after SIGKILLs to the same adapter', async () => {
    const straightCfg = await fx.config('straight', ['epochs: 6']);
    const s = await runJson<TrainSummary>('train', '--config', straightCfg, '--json', '--quiet');
    expect(s.steps).toBe(s.totalSteps);
    expect(s.totalSteps).toBeGreaterThanOrEqual(10);
    const names = await readdir(s.runDir);
    expect(names).toEqual(
      expect.arrayContaining([
        'log.jsonl',
        'curves.svg',
        'latest',
        'config.json',
        `ckpt-${s.steps}`,
      ]),
    );
    const expected = await adapterWeights(s.lastCheckpoint);

    // Eval: COCO results for every test image, scored.
    const out = join(fx.dir, 'results.json');
    const ev = await runJson<{
      split: string;
      rows: { metrics: Record<string, number>; images: number }[];
    }>('eval', '--config', straightCfg, '--out', out, '--json', '--quiet', '--baseline');
    expect(ev.split).toBe('test');
    expect(ev.rows).toHaveLength(2);
    expect(Object.keys(ev.rows[0]!.metrics)).toEqual(
      expect.arrayContaining(['Bleu_1', 'Bleu_4', 'ROUGE_L', 'CIDEr']),
    );
    const { readFile } = await import('node:fs/promises');
    const results = JSON.parse(await readFile(out, 'utf8')) as {
      image_id: unknown;
      caption: unknown;
    }[];
    expect(results).toHaveLength(ev.rows[0]!.images);
    for (const r of results) {
      expect(Object.keys(r).sort()).toEqual(['caption', 'image_id']);
      expect(typeof r.caption).toBe('string');
      expect(r.image_id).toMatch(/^images\/\d{6}\.png$/);
    }
    const table = await runCaptured(
      'eval',
      '--config',
      straightCfg,
      '--quiet',
      '--compare',
      s.runDir,
    );
    expect(table.stdout).toMatch(/model +method +images +Bleu_1/);

    // SIGKILL at random moments, resume each time, finish: same adapter as the straight run.
    const cfg = await fx.config('killed', ['epochs: 6']);
    const runDir = join(fx.dir, 'killed');
    const rng = new Rng(Number(process.env['CAPTUNE_SIGKILL_SEED'] ?? 11));
    let kills = 0;
    const stepsAtKill: number[] = [];
    const { readTrainingLog } = await import('../../../core/src/node/training-log.js');
    const lastStep = async () =>
      (await readTrainingLog(join(runDir, 'log.jsonl'))).reduce((m, e) => Math.max(m, e.step), 0);
    for (let attempt = 0; attempt < KILLS * 3 && kills < KILLS; attempt++) {
      const latestBefore = await latestCheckpoint(runDir);
      const base = latestBefore ? (await readTrainingState(latestBefore)).step : 0;
      // Kill a random 1–5 steps past where this process resumes, a further 0–120 ms in (mid-step or mid-write).
      const target = base + 1 + rng.int(5);
      const extra = rng.int(120);
      const child = spawn(
        process.execPath,
        [BIN, 'train', '--config', cfg, '--resume', '--quiet'],
        { stdio: 'ignore' },
      );
      let exitCode: number | null | undefined;
      const exited = new Promise<void>((res) =>
        child.on('exit', (code) => ((exitCode = code), res())),
      );
      while (exitCode === undefined) {
        if ((await lastStep()) >= target) {
          await new Promise((res) => setTimeout(res, extra));
          child.kill('SIGKILL');
          break;
        }
        await new Promise((res) => setTimeout(res, 15));
      }
      await exited;
      if (exitCode === 0) break; // finished before the kill
      kills++;
      // Only complete checkpoints are ever named ckpt-<step>; the pointer names one.
      for (const n of await readdir(runDir).catch(() => [] as string[])) {
        if (/^ckpt-\d+$/.test(n)) expect(await isCompleteCheckpoint(join(runDir, n))).toBe(true);
      }
      const latest = await latestCheckpoint(runDir);
      if (latest) {
        expect((await readAdapterMeta(join(latest, 'adapter.safetensors'))).method).toBe('ituning');
        expect((await readTrainingState(latest)).step).toBeGreaterThan(0);
      }
      stepsAtKill.push(latest ? (await readTrainingState(latest)).step : 0);
    }
    expect(kills).toBeGreaterThan(0);
    expect(stepsAtKill.some((st) => st > 0)).toBe(true);
    if (process.env['CAPTUNE_SIGKILL_REPORT'])
      process.stderr.write(
        `SIGKILL runs: ${kills}, checkpoint step after each kill: ${stepsAtKill.join(', ')} of ${s.steps}\n`,
      );
    const r = await runJson<TrainSummary>(
      'train',
      '--config',
      cfg,
      '--resume',
      '--json',
      '--quiet',
    );
    expect(r.steps).toBe(s.steps);
    expect((await readdir(runDir)).filter((n) => n.includes('.tmp'))).toEqual([]);
    expect(maxDiff(expected, await adapterWeights(r.lastCheckpoint))).toBeLessThanOrEqual(1e-6);
    expect((await readTrainingLog(join(runDir, 'log.jsonl'))).map((e) => e.step)).toEqual(
      Array.from({ length: s.steps }, (_, i) => i + 1),
    );
  }, 600_000);

  it('train without --config is bad usage; a run folder with checkpoints needs --resume', async () => {
    expect((await runCaptured('train')).code).toBe(2);
    const cfg = await fx.config('twice', ['maxSteps: 2']);
    expect((await runCaptured('train', '--config', cfg, '--quiet')).code).toBe(0);
    const again = await runCaptured('train', '--config', cfg, '--quiet');
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already has checkpoints: pass --resume');
  }, 120_000);
});
