/**
 * A safetensors file held in memory (fetched in a browser, or embedded): the header is
 * validated once, tensors are decoded one at a time on request. Browser-safe.
 * Format and validation: `huggingface/safetensors` `safetensors/src/tensor.rs`.
 */
import { decodeTensorBytes } from './decode-tensor.js';
import {
  parseSafetensorsBytes,
  type SafetensorsHeader,
  headerEntry,
  headerTensorInfo,
  type SafetensorsTensorInfo,
} from './safetensors-header.js';
import { type LoadedTensor, type TensorSource, type TensorSourceInfo } from './tensor-source.js';

export class SafetensorsBuffer implements TensorSource {
  readonly header: SafetensorsHeader;

  /** `file` names the bytes in errors (a path or URL). Throws a CaptuneError on an invalid file. */
  constructor(
    private readonly bytes: Uint8Array,
    readonly file = 'safetensors buffer',
  ) {
    this.header = parseSafetensorsBytes(bytes, file);
  }

  get metadata(): Readonly<Record<string, string>> {
    return this.header.metadata;
  }

  names(): string[] {
    return this.header.tensors.map((t) => t.name);
  }

  has(name: string): boolean {
    return this.header.byName.has(name);
  }

  private entry(name: string): SafetensorsTensorInfo {
    return headerEntry(this.header, this.file, name);
  }

  info(name: string): TensorSourceInfo {
    return headerTensorInfo(this.header, this.file, name);
  }

  /** Decodes one tensor into a fresh array (never a view aliasing the file bytes). */
  readTensor(name: string): LoadedTensor {
    const e = this.entry(name);
    const start = this.header.dataStart + e.dataOffsets[0];
    const end = this.header.dataStart + e.dataOffsets[1];
    return decodeTensorBytes(this.bytes.subarray(start, end), e, { file: this.file, owned: false });
  }

  read(name: string): Promise<LoadedTensor> {
    try {
      return Promise.resolve(this.readTensor(name));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
