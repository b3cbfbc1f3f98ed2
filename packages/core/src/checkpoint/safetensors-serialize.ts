/**
 * Writes safetensors bytes the way `huggingface/safetensors` `safetensors/src/tensor.rs`
 * (`prepare`, `serialize`) does: tensors sorted by dtype alignment (descending), then name;
 * laid out back to back from offset 0; JSON header with `__metadata__` first, padded with
 * spaces to a multiple of 8 bytes so every tensor starts 8-byte aligned in the file.
 * Browser-safe; the Node writer streams the same plan and chunks to disk.
 */
import { CaptuneError } from '../errors/captune-error.js';
import { assertLittleEndianHost, encodeBf16, encodeF16, encodeI64 } from './dtype-convert.js';
import { safetensorsDtypeRank, safetensorsDtypeSize } from './safetensors-dtype.js';

export const WRITABLE_DTYPES = ['F32', 'F16', 'BF16', 'I32', 'I64'] as const;
export type WritableDtype = (typeof WRITABLE_DTYPES)[number];

/** float32 values for F32 / F16 / BF16, int32 values for I32 / I64. */
export type TensorData = Float32Array | Int32Array;

export interface TensorSpec {
  readonly dtype: WritableDtype;
  readonly shape: readonly number[];
}

export interface TensorToWrite extends TensorSpec {
  readonly data: TensorData;
}

export interface SerializeOptions {
  /** The `__metadata__` string map (e.g. `{ format: 'pt' }`); omitted from the header when absent. */
  readonly metadata?: Readonly<Record<string, string>>;
  /** Names the output in errors. */
  readonly file?: string;
}

export interface PlannedTensor extends TensorSpec {
  readonly name: string;
  /** Offsets relative to the data section. */
  readonly begin: number;
  readonly end: number;
}

export interface SafetensorsPlan {
  /** The 8-byte length prefix followed by the padded JSON header. */
  readonly headerBytes: Uint8Array;
  /** Tensors in file order. */
  readonly tensors: readonly PlannedTensor[];
  /** Size of the whole file. */
  readonly totalSize: number;
}

const encoder = new TextEncoder();

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number);
  return a.length - b.length;
}

function numel(shape: readonly number[]): number {
  return shape.reduce((p, d) => p * d, 1);
}

function checkSpec(name: string, spec: TensorSpec, file: string): void {
  const where = `${file}: tensor "${name}"`;
  if (name === '__metadata__')
    throw new CaptuneError(`${file}: "__metadata__" is reserved and cannot name a tensor`);
  if (!(WRITABLE_DTYPES as readonly string[]).includes(spec.dtype)) {
    throw new CaptuneError(
      `${where} has dtype ${String(spec.dtype)}; captune writes ${WRITABLE_DTYPES.join(', ')}`,
    );
  }
  if (!spec.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new CaptuneError(
      `${where} has shape [${spec.shape.join(', ')}]; dimensions must be non-negative integers`,
    );
  }
}

/** Lays out the file: order, offsets and header bytes; needs only dtypes and shapes. */
export function planSafetensors(
  specs: Readonly<Record<string, TensorSpec>>,
  options: SerializeOptions = {},
): SafetensorsPlan {
  const file = options.file ?? 'safetensors';
  const entries = Object.entries(specs).map(([name, spec]) => {
    checkSpec(name, spec, file);
    return { name, spec, key: encoder.encode(name) };
  });
  // Descending dtype alignment, then name by UTF-8 bytes (Rust `String` order).
  entries.sort(
    (a, b) =>
      safetensorsDtypeRank(b.spec.dtype) - safetensorsDtypeRank(a.spec.dtype) ||
      compareBytes(a.key, b.key),
  );
  let offset = 0;
  const tensors: PlannedTensor[] = entries.map(({ name, spec }) => {
    const begin = offset;
    offset += numel(spec.shape) * safetensorsDtypeSize(spec.dtype);
    return { name, dtype: spec.dtype, shape: [...spec.shape], begin, end: offset };
  });
  // Built by hand: a JS object would move integer-like keys ("0") to the front.
  const parts: string[] = [];
  if (options.metadata !== undefined) {
    const meta = Object.entries(options.metadata).map(
      ([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(String(v))}`,
    );
    parts.push(`"__metadata__":{${meta.join(',')}}`);
  }
  for (const t of tensors) {
    const info = { dtype: t.dtype, shape: t.shape, data_offsets: [t.begin, t.end] };
    parts.push(`${JSON.stringify(t.name)}:${JSON.stringify(info)}`);
  }
  const json = encoder.encode(`{${parts.join(',')}}`);
  const padded = Math.ceil(json.length / 8) * 8;
  const headerBytes = new Uint8Array(8 + padded).fill(0x20, 8 + json.length);
  new DataView(headerBytes.buffer).setBigUint64(0, BigInt(padded), true);
  headerBytes.set(json, 8);
  return { headerBytes, tensors, totalSize: headerBytes.length + offset };
}

/** Checks a tensor's data against its planned dtype and shape. */
export function checkTensorData(t: PlannedTensor, data: TensorData, file: string): void {
  const float = t.dtype === 'F32' || t.dtype === 'F16' || t.dtype === 'BF16';
  const want = float ? 'Float32Array' : 'Int32Array';
  const n = numel(t.shape);
  const ok = float ? data instanceof Float32Array : data instanceof Int32Array;
  if (!ok || data.length !== n) {
    throw new CaptuneError(
      `${file}: tensor "${t.name}" (dtype ${t.dtype}, shape [${t.shape.join(', ')}]) needs a ${want} of ${n} values, got ${data.constructor.name} of ${data.length}`,
    );
  }
}

/** Encoded bytes of one tensor, `chunkElements` values at a time (F32 / I32 chunks are views). */
export function* encodeTensorChunks(
  t: PlannedTensor,
  data: TensorData,
  chunkElements = 1 << 20,
): Generator<Uint8Array> {
  assertLittleEndianHost();
  for (let i = 0; i < data.length; i += chunkElements) {
    const part = data.subarray(i, Math.min(data.length, i + chunkElements));
    let encoded: Float32Array | Int32Array | Uint16Array;
    switch (t.dtype) {
      case 'F32':
      case 'I32':
        encoded = part;
        break;
      case 'F16':
        encoded = encodeF16(part as Float32Array);
        break;
      case 'BF16':
        encoded = encodeBf16(part as Float32Array);
        break;
      case 'I64':
        encoded = encodeI64(part as Int32Array);
        break;
    }
    yield new Uint8Array(encoded.buffer, encoded.byteOffset, encoded.byteLength);
  }
}

/** The whole safetensors file as bytes. */
export function serializeSafetensors(
  tensors: Readonly<Record<string, TensorToWrite>>,
  options: SerializeOptions = {},
): Uint8Array {
  const file = options.file ?? 'safetensors';
  const plan = planSafetensors(tensors, options);
  const out = new Uint8Array(plan.totalSize);
  out.set(plan.headerBytes, 0);
  let pos = plan.headerBytes.length;
  for (const t of plan.tensors) {
    const data = (tensors[t.name] as TensorToWrite).data;
    checkTensorData(t, data, file);
    for (const chunk of encodeTensorChunks(t, data)) {
      out.set(chunk, pos);
      pos += chunk.length;
    }
  }
  return out;
}
