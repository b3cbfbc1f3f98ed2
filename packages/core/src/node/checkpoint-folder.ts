/**
 * Opens a Hugging Face model checkpoint as one lazy tensor source: a folder holding
 * `model.safetensors`, or a sharded `model.safetensors.index.json` with its shards, or a single
 * `.safetensors` file. Resolution order follows transformers' `modeling_utils`
 * (`SAFE_WEIGHTS_NAME` before `SAFE_WEIGHTS_INDEX_NAME`). PyTorch pickles (`*.bin`, `*.pt`),
 * TensorFlow and Flax checkpoints are refused with a conversion recipe: captune never unpickles.
 */
import { readFile, readdir, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, normalize, sep } from 'node:path';
import { z } from 'zod';
import { CaptuneError } from '../errors/captune-error.js';
import {
  missingTensorError,
  type LoadedTensor,
  type TensorSource,
  type TensorSourceInfo,
} from '../checkpoint/tensor-source.js';
import { SafetensorsFile } from './safetensors-file.js';

export const SAFE_WEIGHTS_NAME = 'model.safetensors';
export const SAFE_WEIGHTS_INDEX_NAME = 'model.safetensors.index.json';

const PICKLE = /\.(bin|pt|pth|ckpt|pkl)$/;

const IndexSchema = z.looseObject({
  metadata: z.record(z.string(), z.unknown()).nullish(),
  weight_map: z.record(z.string(), z.string()),
});

/** Tensors spread over several safetensors shards, addressed through one weight map. */
export class ShardedCheckpoint implements TensorSource {
  readonly metadata: Readonly<Record<string, string>>;
  private readonly order: string[];

  private constructor(
    /** The index file's path: errors name it. */
    readonly path: string,
    private readonly shardOf: ReadonlyMap<string, SafetensorsFile>,
    readonly shards: readonly SafetensorsFile[],
    metadata: Record<string, unknown>,
  ) {
    this.metadata = Object.fromEntries(
      Object.entries(metadata).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
    );
    this.order = shards.flatMap((s) => s.names().filter((n) => shardOf.get(n) === s));
  }

  /** Opens every shard's header and checks each listed tensor is in its shard. */
  static async open(indexPath: string): Promise<ShardedCheckpoint> {
    let json: unknown;
    try {
      json = JSON.parse(await readFile(indexPath, 'utf8'));
    } catch (error) {
      throw new CaptuneError(
        `${indexPath}: cannot read shard index: ${(error as Error).message.split('\n')[0]}`,
        { cause: error },
      );
    }
    const parsed = IndexSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const at = issue?.path.length ? issue.path.join('.') : 'index';
      throw new CaptuneError(
        `${indexPath}: ${at}: ${issue?.message ?? 'invalid'} (expected {"metadata": {...}, "weight_map": {"tensor": "shard.safetensors"}})`,
      );
    }
    const folder = dirname(indexPath);
    const shardNames = [...new Set(Object.values(parsed.data.weight_map))].sort();
    for (const shard of shardNames) {
      if (isAbsolute(shard) || normalize(shard).split(/[\\/]/).includes('..')) {
        throw new CaptuneError(
          `${indexPath}: shard "${shard}" points outside the checkpoint folder`,
        );
      }
    }
    const shards: SafetensorsFile[] = [];
    try {
      for (const shard of shardNames) {
        const shardPath = join(folder, shard);
        const exists = await stat(shardPath).then(
          (s) => s.isFile(),
          () => false,
        );
        if (!exists)
          throw new CaptuneError(
            `${indexPath}: shard "${shard}" listed in weight_map does not exist in ${folder}`,
          );
        shards.push(await SafetensorsFile.open(shardPath));
      }
      const byName = new Map(shardNames.map((name, i) => [name, shards[i] as SafetensorsFile]));
      const shardOf = new Map<string, SafetensorsFile>();
      for (const [tensor, shard] of Object.entries(parsed.data.weight_map)) {
        const file = byName.get(shard) as SafetensorsFile;
        if (!file.has(tensor)) {
          throw new CaptuneError(
            `${indexPath}: weight_map puts tensor "${tensor}" in ${shard}, but that shard has no such tensor`,
          );
        }
        shardOf.set(tensor, file);
      }
      return new ShardedCheckpoint(indexPath, shardOf, shards, parsed.data.metadata ?? {});
    } catch (error) {
      await Promise.all(shards.map((s) => s.close()));
      throw error;
    }
  }

  names(): string[] {
    return [...this.order];
  }

  has(name: string): boolean {
    return this.shardOf.has(name);
  }

  private shard(name: string): SafetensorsFile {
    const shard = this.shardOf.get(name);
    if (!shard) throw missingTensorError(this.path, name, this.order);
    return shard;
  }

  info(name: string): TensorSourceInfo {
    return this.shard(name).info(name);
  }

  read(name: string): Promise<LoadedTensor> {
    try {
      return this.shard(name).readTensor(name);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.shards.map((s) => s.close()));
  }
}

function pythonConvert(folder: string, loadArgs: string): string {
  const f = JSON.stringify(folder);
  return `python -c 'from transformers import AutoModel; AutoModel.from_pretrained(${f}${loadArgs}).save_pretrained(${f}, safe_serialization=True)'`;
}

function pickleError(where: string, found: string, folder: string): CaptuneError {
  return new CaptuneError(
    `${where}: has only a PyTorch pickle checkpoint (${found}); captune never loads pickles. Convert it to safetensors, e.g. with Python: ${pythonConvert(folder, '')}`,
  );
}

/** Explains why a folder without safetensors weights cannot be opened. */
function noSafetensorsError(folder: string, files: readonly string[]): CaptuneError {
  const others = files.filter((f) => f.endsWith('.safetensors'));
  if (others.length > 0) {
    return new CaptuneError(
      `${folder}: has no ${SAFE_WEIGHTS_NAME} or ${SAFE_WEIGHTS_INDEX_NAME} (found ${others.join(', ')}; open that file directly)`,
    );
  }
  const pickles = files.filter((f) => PICKLE.test(f) || f === 'pytorch_model.bin.index.json');
  if (pickles.length > 0) {
    const preferred = ['pytorch_model.bin', 'pytorch_model.bin.index.json'].find((p) =>
      pickles.includes(p),
    );
    return pickleError(folder, preferred ?? pickles.slice(0, 3).join(', '), folder);
  }
  for (const [name, framework, flag] of [
    ['tf_model.h5', 'TensorFlow', 'from_tf=True'],
    ['flax_model.msgpack', 'Flax', 'from_flax=True'],
  ] as const) {
    if (files.includes(name) || files.includes(`${name}.index.json`)) {
      return new CaptuneError(
        `${folder}: has only a ${framework} checkpoint (${name}); captune reads safetensors. Convert it, e.g. with Python: ${pythonConvert(folder, `, ${flag}`)}`,
      );
    }
  }
  return new CaptuneError(
    `${folder}: no checkpoint found (expected ${SAFE_WEIGHTS_NAME} or ${SAFE_WEIGHTS_INDEX_NAME})`,
  );
}

/**
 * Opens a checkpoint: a Hugging Face model folder, a `.safetensors` file, or a
 * `*.safetensors.index.json`. Only headers are read; tensors load on `read(name)`.
 */
export async function openCheckpoint(path: string): Promise<TensorSource> {
  const info = await stat(path).catch(() => undefined);
  if (!info) throw new CaptuneError(`${path}: no such checkpoint file or folder`);
  if (info.isFile()) {
    if (path.endsWith('.index.json')) {
      if (path.endsWith('.bin.index.json')) throw pickleError(path, basename(path), dirname(path));
      return ShardedCheckpoint.open(path);
    }
    if (PICKLE.test(path)) throw pickleError(path, basename(path), dirname(path));
    return SafetensorsFile.open(path);
  }
  if (!info.isDirectory()) throw new CaptuneError(`${path}: not a file or folder`);
  const files = await readdir(path);
  if (files.includes(SAFE_WEIGHTS_NAME)) return SafetensorsFile.open(join(path, SAFE_WEIGHTS_NAME));
  if (files.includes(SAFE_WEIGHTS_INDEX_NAME))
    return ShardedCheckpoint.open(join(path, SAFE_WEIGHTS_INDEX_NAME));
  throw noSafetensorsError(path.endsWith(sep) ? path.slice(0, -1) : path, files);
}
