/**
 * Training checkpoints in a run folder, swapped in atomically so a SIGKILL at any moment never
 * leaves a half-written checkpoint that is used:
 *
 *   ckpt-<step>.tmp/ ← adapter.safetensors, optimizer.safetensors, state.json (each fsynced)
 *   rename → ckpt-<step>/ ; fsync the run folder ; write `latest` (temp + fsync + rename)
 *
 * `adapter.safetensors` holds the adapter weights with metadata (method, method config JSON,
 * feature shapes); `optimizer.safetensors` the AdamW moments and step; `state.json` the data
 * position and seed, the sampled-softmax RNG state, best metric and early-stopping count. A reader trusts only folders
 * named `ckpt-<step>` holding all three files; `*.tmp` folders are left-overs of a killed
 * writer and are removed by `cleanRunDir`. `best` names the best checkpoint the same way.
 */
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { CaptionAdapter } from '../adapters/caption-adapter.js';
import type { Engine } from '../engine/engine.js';
import type { Variable } from '../engine/tensor.js';
import { CaptuneError } from '../errors/captune-error.js';
import type { AdamW } from '../optim/adamw.js';
import type { RngState } from '../random/rng.js';
import { SafetensorsFile } from './safetensors-file.js';
import { writeSafetensors, type LazyTensorToWrite } from './safetensors-writer.js';

export const ADAPTER_FILE = 'adapter.safetensors';
export const OPTIMIZER_FILE = 'optimizer.safetensors';
export const STATE_FILE = 'state.json';

/** What `state.json` holds. */
export interface TrainingState {
  readonly version: 1;
  /** Optimizer steps done. */
  readonly step: number;
  /** Epoch (0-based) of the next step and examples of it already consumed. */
  readonly epoch: number;
  readonly position: number;
  readonly totalSteps: number;
  /** Base seed: the data order of epoch k is a pure function of (seed, k), so no RNG stream needs saving. */
  readonly seed: number;
  /** Best validation metric so far and its step (null before the first validation). */
  readonly bestMetric: number | null;
  readonly bestStep: number | null;
  /** Validations since the last improvement (early stopping). */
  readonly badValidations: number;
  readonly stopped: 'early' | null;
  /**
   * State of the trainer's sampled-softmax RNG after `step` steps (absent in checkpoints of
   * older runs: a resume then starts the stream afresh).
   */
  readonly samplerRng?: RngState;
}

/** Metadata saved with the adapter: enough to rebuild it without the training config. */
export interface AdapterMeta {
  readonly method: string;
  readonly config: unknown;
  readonly tokenShape: readonly [number, number] | null;
  readonly embedDim: number | null;
}

async function fsyncPath(path: string): Promise<void> {
  try {
    const h = await open(path, 'r');
    try {
      await h.sync();
    } finally {
      await h.close();
    }
  } catch {
    /* directories cannot be fsynced everywhere: best effort */
  }
}

/** Writes a small file durably and atomically (temp + fsync + rename). */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  const h = await open(tmp, 'w');
  try {
    await h.writeFile(text);
    await h.sync();
  } finally {
    await h.close();
  }
  await rename(tmp, path);
}

async function readF32(engine: Engine, v: Variable): Promise<Float32Array> {
  return (await engine.read(v)) as Float32Array;
}

function tensorsOf(
  engine: Engine,
  vars: readonly Variable[],
  name: (v: Variable, i: number) => string,
): Record<string, LazyTensorToWrite> {
  const out: Record<string, LazyTensorToWrite> = {};
  vars.forEach((v, i) => {
    out[name(v, i)] = { dtype: 'F32', shape: v.shape, data: () => readF32(engine, v) };
  });
  return out;
}

/** Writes the adapter weights alone (also used for `best` and the demo's saved adapter). */
export async function writeAdapterFile(
  path: string,
  adapter: CaptionAdapter,
  meta: AdapterMeta,
): Promise<void> {
  await writeSafetensors(
    path,
    tensorsOf(adapter.engine, adapter.params, (v) => v.name),
    {
      metadata: {
        format: 'captune-adapter',
        method: meta.method,
        config: JSON.stringify(meta.config),
        features: JSON.stringify({ tokenShape: meta.tokenShape, embedDim: meta.embedDim }),
      },
    },
  );
}

export interface CheckpointContents {
  readonly adapter: CaptionAdapter;
  readonly meta: AdapterMeta;
  readonly optimizer: AdamW;
  readonly state: TrainingState;
}

/** Writes `ckpt-<step>` atomically and points `latest` at it. Returns the folder. */
export async function writeTrainingCheckpoint(
  runDir: string,
  c: CheckpointContents,
  pointers: readonly string[] = ['latest'],
): Promise<string> {
  await mkdir(runDir, { recursive: true });
  const name = `ckpt-${c.state.step}`;
  const tmp = join(runDir, `${name}.tmp`);
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp);
  await writeAdapterFile(join(tmp, ADAPTER_FILE), c.adapter, c.meta);
  const { step, tensors } = c.optimizer.stateTensors();
  await writeSafetensors(
    join(tmp, OPTIMIZER_FILE),
    tensorsOf(c.adapter.engine, tensors, (v, i) => v.name || `moment.${i}`),
    { metadata: { format: 'captune-adamw', step: String(step) } },
  );
  await writeFileAtomic(join(tmp, STATE_FILE), `${JSON.stringify(c.state, null, 2)}\n`);
  await fsyncPath(tmp);
  const final = join(runDir, name);
  if (await exists(final)) {
    // Re-writing a step (a resumed run checkpointing where it started): move the old one aside first.
    const aside = join(runDir, `${name}.old.tmp`);
    await rm(aside, { recursive: true, force: true });
    await rename(final, aside);
    await rename(tmp, final);
    await rm(aside, { recursive: true, force: true });
  } else {
    await rename(tmp, final);
  }
  await fsyncPath(runDir);
  for (const p of pointers) await writeFileAtomic(join(runDir, p), `${name}\n`);
  return final;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** True when `dir` is a complete checkpoint (all three files; state.json parses). */
export async function isCompleteCheckpoint(dir: string): Promise<boolean> {
  if (!/ckpt-\d+$/.test(dir)) return false;
  try {
    for (const f of [ADAPTER_FILE, OPTIMIZER_FILE])
      if (!(await stat(join(dir, f))).isFile()) return false;
    JSON.parse(await readFile(join(dir, STATE_FILE), 'utf8'));
    return true;
  } catch {
    return false;
  }
}

/** Complete `ckpt-<step>` folders of a run, by step ascending. */
export async function listCheckpoints(runDir: string): Promise<{ step: number; dir: string }[]> {
  let names: string[];
  try {
    names = await readdir(runDir);
  } catch {
    return [];
  }
  const out: { step: number; dir: string }[] = [];
  for (const n of names) {
    const m = /^ckpt-(\d+)$/.exec(n);
    if (m && (await isCompleteCheckpoint(join(runDir, n))))
      out.push({ step: Number(m[1]), dir: join(runDir, n) });
  }
  return out.sort((a, b) => a.step - b.step);
}

/** The checkpoint a pointer file (`latest`, `best`) names, if complete; else null. */
export async function pointedCheckpoint(
  runDir: string,
  pointer: 'latest' | 'best',
): Promise<string | null> {
  try {
    const name = (await readFile(join(runDir, pointer), 'utf8')).trim();
    const dir = join(runDir, name);
    return (await isCompleteCheckpoint(dir)) ? dir : null;
  } catch {
    return null;
  }
}

/** The newest complete checkpoint: `latest` when valid, else the highest complete step; null if none. */
export async function latestCheckpoint(runDir: string): Promise<string | null> {
  const all = await listCheckpoints(runDir);
  const pointed = await pointedCheckpoint(runDir, 'latest');
  const highest = all[all.length - 1]?.dir ?? null;
  if (!pointed) return highest;
  const step = (d: string) => Number(/ckpt-(\d+)$/.exec(d)![1]);
  return highest && step(highest) > step(pointed) ? highest : pointed;
}

/** Removes left-overs of killed writers (`*.tmp` folders and files). */
export async function cleanRunDir(runDir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(runDir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const n of names) {
    if (/\.tmp(-\d+)?$/.test(n) || /\.tmp-\d+-[0-9a-f]+$/.test(n)) {
      await rm(join(runDir, n), { recursive: true, force: true });
      removed.push(n);
    }
  }
  return removed;
}

/** Deletes all but the newest `keep` checkpoints, never one in `protect`. */
export async function pruneCheckpoints(
  runDir: string,
  keep: number,
  protect: readonly (string | null)[],
): Promise<void> {
  const all = await listCheckpoints(runDir);
  const keepSet = new Set([
    ...all.slice(-keep).map((c) => c.dir),
    ...protect.filter((p): p is string => p !== null),
  ]);
  for (const c of all) if (!keepSet.has(c.dir)) await rm(c.dir, { recursive: true, force: true });
}

const uint32 = z.number().int().min(0).max(0xffffffff);
/** The part of `state.json` whose shape a resume relies on beyond plain numbers. */
const SamplerRngSchema = z.object({
  s: z.tuple([uint32, uint32, uint32, uint32]),
  spareNormal: z.number().nullable(),
});

export async function readTrainingState(dir: string): Promise<TrainingState> {
  const file = join(dir, STATE_FILE);
  let state: TrainingState;
  try {
    state = JSON.parse(await readFile(file, 'utf8')) as TrainingState;
  } catch (error) {
    throw new CaptuneError(
      `${file}: cannot read the training state: ${(error as Error).message.split('\n')[0]}`,
    );
  }
  if (state.samplerRng !== undefined && !SamplerRngSchema.safeParse(state.samplerRng).success)
    throw new CaptuneError(
      `${file}: field "samplerRng" must be {"s": [4 uint32], "spareNormal": number | null}`,
    );
  return state;
}

/** Reads an adapter file's metadata. */
export async function readAdapterMeta(path: string): Promise<AdapterMeta> {
  const f = await SafetensorsFile.open(path);
  try {
    return adapterMetaOf(f.metadata, path);
  } finally {
    await f.close();
  }
}

function adapterMetaOf(md: Readonly<Record<string, string>>, path: string): AdapterMeta {
  if (md['format'] !== 'captune-adapter' || !md['method'])
    throw new CaptuneError(`${path}: not a captune adapter file (no captune-adapter metadata)`);
  const features = JSON.parse(md['features'] ?? '{}') as {
    tokenShape?: [number, number] | null;
    embedDim?: number | null;
  };
  return {
    method: md['method'],
    config: JSON.parse(md['config'] ?? '{}'),
    tokenShape: features.tokenShape ?? null,
    embedDim: features.embedDim ?? null,
  };
}

/** Copies the weights of an adapter file into `adapter` (names and shapes must match). */
export async function loadAdapterWeights(
  path: string,
  adapter: CaptionAdapter,
): Promise<AdapterMeta> {
  const f = await SafetensorsFile.open(path);
  try {
    const meta = adapterMetaOf(f.metadata, path);
    if (meta.method !== adapter.method)
      throw new CaptuneError(`${path}: holds a ${meta.method} adapter, not ${adapter.method}`);
    await assignAll(adapter.engine, f, adapter.params, (v) => v.name, path);
    return meta;
  } finally {
    await f.close();
  }
}

/** Restores AdamW moments and step from `optimizer.safetensors`. */
export async function loadOptimizerState(
  path: string,
  engine: Engine,
  optimizer: AdamW,
): Promise<void> {
  const f = await SafetensorsFile.open(path);
  try {
    const { tensors } = optimizer.stateTensors();
    const loaded = [];
    for (const [i, v] of tensors.entries()) {
      const name = v.name || `moment.${i}`;
      if (!f.has(name))
        throw new CaptuneError(
          `${path}: no optimizer moment "${name}" (the checkpoint is from a different adapter)`,
        );
      const t = await f.read(name);
      loaded.push(engine.tensor(t.data, t.shape));
    }
    optimizer.restore(Number(f.metadata['step'] ?? 0), loaded); // assign takes ownership of `loaded`
  } finally {
    await f.close();
  }
}

async function assignAll(
  engine: Engine,
  f: SafetensorsFile,
  vars: readonly Variable[],
  name: (v: Variable) => string,
  path: string,
): Promise<void> {
  for (const v of vars) {
    const n = name(v);
    if (!f.has(n))
      throw new CaptuneError(
        `${path}: no tensor "${n}" (the adapter config differs from the checkpoint's)`,
      );
    const t = await f.read(n);
    if (t.shape.length !== v.shape.length || t.shape.some((d, i) => d !== v.shape[i]))
      throw new CaptuneError(
        `${path}: tensor "${n}" is [${t.shape.join(', ')}], the adapter expects [${v.shape.join(', ')}]`,
      );
    engine.assign(v, engine.tensor(t.data, t.shape)); // assign takes ownership
  }
}
