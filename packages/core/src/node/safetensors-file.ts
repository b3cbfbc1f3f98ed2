/**
 * A safetensors file on disk, read lazily: `open` reads the 8-byte prefix and the JSON header
 * only; `readTensor` reads one tensor's byte range with positioned reads into a fresh buffer,
 * so a multi-GB checkpoint never sits in memory whole (let alone twice). Validation follows
 * `huggingface/safetensors` `safetensors/src/tensor.rs`, including the file-size check.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { basename } from 'node:path';
import { CaptuneError } from '../errors/captune-error.js';
import { decodeTensorBytes } from '../checkpoint/decode-tensor.js';
import {
  parseSafetensorsHeader,
  readHeaderSize,
  type SafetensorsHeader,
  headerEntry,
  headerTensorInfo,
  type SafetensorsTensorInfo,
} from '../checkpoint/safetensors-header.js';
import {
  type LoadedTensor,
  type TensorSource,
  type TensorSourceInfo,
} from '../checkpoint/tensor-source.js';

/** Largest single positioned read (Node caps one read below 2 GiB). */
const MAX_READ = 1 << 30;

/** Reads exactly `length` bytes at `position`, looping over short reads. */
export async function readExactly(
  handle: FileHandle,
  target: Uint8Array,
  position: number,
  file: string,
): Promise<void> {
  let done = 0;
  while (done < target.length) {
    const length = Math.min(MAX_READ, target.length - done);
    const { bytesRead } = await handle.read(target, done, length, position + done);
    if (bytesRead === 0) {
      throw new CaptuneError(
        `${file}: file ended at byte ${position + done} while reading ${target.length} bytes at ${position} (was it truncated while open?)`,
      );
    }
    done += bytesRead;
  }
}

function ioError(file: string, error: unknown): CaptuneError {
  const code = (error as NodeJS.ErrnoException).code;
  const reason =
    code === 'ENOENT'
      ? 'no such file'
      : code === 'EISDIR'
        ? 'is a directory'
        : (error as Error).message;
  return new CaptuneError(`${file}: cannot open safetensors file: ${reason}`, { cause: error });
}

export class SafetensorsFile implements TensorSource {
  private closed = false;

  private constructor(
    private readonly handle: FileHandle,
    /** The path, as given to `open`: every error names it. */
    readonly path: string,
    readonly header: SafetensorsHeader,
    readonly fileSize: number,
  ) {}

  /** Opens and validates the header; reads no tensor data. Throws CaptuneError naming the file. */
  static async open(path: string): Promise<SafetensorsFile> {
    let handle: FileHandle;
    try {
      handle = await open(path, 'r');
    } catch (error) {
      throw ioError(path, error);
    }
    try {
      const stat = await handle.stat();
      if (!stat.isFile()) throw new CaptuneError(`${path}: not a regular file`);
      const fileSize = stat.size;
      const prefix = new Uint8Array(8);
      if (fileSize >= 8) await readExactly(handle, prefix, 0, path);
      const headerSize = readHeaderSize(prefix.subarray(0, Math.min(8, fileSize)), path, fileSize);
      const headerBytes = new Uint8Array(headerSize);
      await readExactly(handle, headerBytes, 8, path);
      const header = parseSafetensorsHeader(headerBytes, { file: path, fileSize });
      return new SafetensorsFile(handle, path, header, fileSize);
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  get metadata(): Readonly<Record<string, string>> {
    return this.header.metadata;
  }

  /** The file name without its folder, for messages. */
  get name(): string {
    return basename(this.path);
  }

  names(): string[] {
    return this.header.tensors.map((t) => t.name);
  }

  has(name: string): boolean {
    return this.header.byName.has(name);
  }

  private entry(name: string): SafetensorsTensorInfo {
    return headerEntry(this.header, this.path, name);
  }

  info(name: string): TensorSourceInfo {
    return headerTensorInfo(this.header, this.path, name);
  }

  /** Reads one tensor's bytes (and nothing else) and converts them to float32 / int32. */
  async readTensor(name: string): Promise<LoadedTensor> {
    if (this.closed) throw new CaptuneError(`${this.path}: read of tensor "${name}" after close`);
    const e = this.entry(name);
    // A fresh, 0-offset ArrayBuffer (not Node's shared Buffer pool): F32 / I32 come back as views of it.
    const bytes = new Uint8Array(e.dataOffsets[1] - e.dataOffsets[0]);
    await readExactly(this.handle, bytes, this.header.dataStart + e.dataOffsets[0], this.path);
    return decodeTensorBytes(bytes, e, { file: this.path, owned: true });
  }

  read(name: string): Promise<LoadedTensor> {
    return this.readTensor(name);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.handle.close();
  }
}
