/**
 * Reads single rows of feature shards (safetensors files with `tokens` [R, N, C] and/or
 * `embeds` [R, P]) with positioned reads: a training batch touches only its rows, never a whole
 * shard. Open files are kept in a small LRU pool. Each row's image hash is checked against the
 * shard's `captune.keys` metadata, so a manifest pointing at the wrong row fails loudly.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { decodeTensorBytes } from '../checkpoint/decode-tensor.js';
import {
  parseSafetensorsHeader,
  readHeaderSize,
  type SafetensorsHeader,
} from '../checkpoint/safetensors-header.js';
import { safetensorsDtypeSize } from '../checkpoint/safetensors-dtype.js';
import { CaptuneError } from '../errors/captune-error.js';
import { readExactly } from './safetensors-file.js';

/** Metadata keys every feature shard carries. */
export const SHARD_META = { identity: 'captune.identity', keys: 'captune.keys' } as const;

interface OpenShard {
  readonly handle: FileHandle;
  readonly header: SafetensorsHeader;
  readonly keys: readonly string[];
}

export class FeatureShardReader {
  private readonly pool = new Map<string, Promise<OpenShard>>();

  constructor(
    /** The identity every shard read must carry. */
    private readonly identity: string,
    private readonly maxOpen = 16,
  ) {}

  private async openShard(path: string): Promise<OpenShard> {
    let handle: FileHandle;
    try {
      handle = await open(path, 'r');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new CaptuneError(
        `${path}: cannot open feature shard: ${code === 'ENOENT' ? 'no such file (was the cache folder moved or pruned?)' : (error as Error).message}`,
        { cause: error },
      );
    }
    try {
      const size = (await handle.stat()).size;
      const prefix = new Uint8Array(8);
      await readExactly(handle, prefix, 0, path);
      const headerBytes = new Uint8Array(readHeaderSize(prefix, path, size));
      await readExactly(handle, headerBytes, 8, path);
      const header = parseSafetensorsHeader(headerBytes, { file: path, fileSize: size });
      if (header.metadata[SHARD_META.identity] !== this.identity)
        throw new CaptuneError(`${path}: feature shard of another checkpoint (identity mismatch)`);
      let keys: unknown;
      try {
        keys = JSON.parse(header.metadata[SHARD_META.keys] ?? 'null');
      } catch {
        keys = null;
      }
      if (!Array.isArray(keys))
        throw new CaptuneError(`${path}: feature shard without a valid "${SHARD_META.keys}" list`);
      return { handle, header, keys: keys as string[] };
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  private shard(path: string): Promise<OpenShard> {
    let p = this.pool.get(path);
    if (p) {
      this.pool.delete(path);
      this.pool.set(path, p); // most recently used last
      return p;
    }
    p = this.openShard(path);
    this.pool.set(path, p);
    p.catch(() => this.pool.delete(path));
    while (this.pool.size > this.maxOpen) {
      const [oldest, op] = this.pool.entries().next().value as [string, Promise<OpenShard>];
      this.pool.delete(oldest);
      void op.then((s) => s.handle.close()).catch(() => undefined);
    }
    return p;
  }

  /** One row of tensor `name` ("tokens" or "embeds") as float32; `key` must be the row's image hash. */
  async readRow(path: string, name: string, row: number, key: string): Promise<Float32Array> {
    const s = await this.shard(path);
    if (s.keys[row] !== key)
      throw new CaptuneError(
        `${path}: row ${row} holds image ${String(s.keys[row]).slice(0, 12)}…, the manifest says ${key.slice(0, 12)}…`,
      );
    const info = s.header.byName.get(name);
    if (!info) throw new CaptuneError(`${path}: feature shard has no "${name}" tensor`);
    const rows = info.shape[0]!;
    if (row >= rows) throw new CaptuneError(`${path}: row ${row} out of range (${rows} rows)`);
    const rowShape = info.shape.slice(1);
    const rowBytes = rowShape.reduce((p, d) => p * d, 1) * safetensorsDtypeSize(info.dtype);
    const begin = info.dataOffsets[0] + row * rowBytes;
    const bytes = new Uint8Array(rowBytes);
    await readExactly(s.handle, bytes, s.header.dataStart + begin, path);
    const loaded = decodeTensorBytes(
      bytes,
      { name, dtype: info.dtype, shape: rowShape, dataOffsets: [begin, begin + rowBytes] },
      { file: path, owned: true },
    );
    if (!(loaded.data instanceof Float32Array))
      throw new CaptuneError(`${path}: tensor "${name}" is not floating point`);
    return loaded.data;
  }

  async close(): Promise<void> {
    const all = [...this.pool.values()];
    this.pool.clear();
    await Promise.all(all.map((p) => p.then((s) => s.handle.close()).catch(() => undefined)));
  }
}
