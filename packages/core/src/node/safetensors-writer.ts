/**
 * Writes a safetensors file atomically and tensor by tensor: the layout comes from
 * `planSafetensors` (the `huggingface/safetensors` `serialize_to_file` order and padding), each
 * tensor is encoded in chunks and written to `<path>.tmp-<pid>-<rand>`, which is fsynced and
 * then renamed over `path`. Tensors may be given lazily (a function producing the data) so a
 * large checkpoint never has to be built in memory at once.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { CaptuneError } from '../errors/captune-error.js';
import {
  checkTensorData,
  encodeTensorChunks,
  planSafetensors,
  type TensorData,
  type TensorSpec,
} from '../checkpoint/safetensors-serialize.js';

/** A tensor to write; `data` may be a function called once, when the writer reaches the tensor. */
export interface LazyTensorToWrite extends TensorSpec {
  readonly data: TensorData | (() => TensorData | Promise<TensorData>);
}

export interface WriteSafetensorsOptions {
  /** The `__metadata__` string map (HF writes `{ format: 'pt' }`). */
  readonly metadata?: Readonly<Record<string, string>>;
  /** Values encoded per write call (default 1 Mi). */
  readonly chunkElements?: number;
}

async function writeAll(handle: FileHandle, bytes: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, done, bytes.length - done, position + done);
    done += bytesWritten;
  }
}

async function syncDirectory(dir: string): Promise<void> {
  // Makes the rename durable where directories can be fsynced (not on Windows): best effort.
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    /* not supported here */
  }
}

/** Writes `tensors` to `path` atomically. Returns the file size. */
export async function writeSafetensors(
  path: string,
  tensors: Readonly<Record<string, LazyTensorToWrite>>,
  options: WriteSafetensorsOptions = {},
): Promise<number> {
  const plan = planSafetensors(tensors, { metadata: options.metadata, file: path });
  const tmp = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  let handle: FileHandle;
  try {
    handle = await open(tmp, 'wx');
  } catch (error) {
    throw new CaptuneError(`${path}: cannot write: ${(error as Error).message}`, { cause: error });
  }
  let ok = false;
  try {
    await writeAll(handle, plan.headerBytes, 0);
    let position = plan.headerBytes.length;
    for (const t of plan.tensors) {
      const given = (tensors[t.name] as LazyTensorToWrite).data;
      const data = typeof given === 'function' ? await given() : given;
      checkTensorData(t, data, path);
      for (const chunk of encodeTensorChunks(t, data, options.chunkElements)) {
        await writeAll(handle, chunk, position);
        position += chunk.length;
      }
    }
    await handle.sync();
    ok = true;
  } finally {
    await handle.close();
    if (!ok) await unlink(tmp).catch(() => undefined);
  }
  try {
    await rename(tmp, path);
  } catch (error) {
    await unlink(tmp).catch(() => undefined);
    throw new CaptuneError(`${path}: cannot write: ${(error as Error).message}`, { cause: error });
  }
  await syncDirectory(dirname(path));
  return plan.totalSize;
}
