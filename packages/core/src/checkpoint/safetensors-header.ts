/**
 * Parses and validates a safetensors header: an 8-byte little-endian u64 length, then that many
 * bytes of UTF-8 JSON `{ "__metadata__"?: {string: string}, name: {dtype, shape, data_offsets} }`,
 * offsets relative to the first byte after the header. Validation follows
 * `huggingface/safetensors` `safetensors/src/tensor.rs` (`read_metadata`, `Metadata::validate`):
 * header at most 100 MB, byte lengths match dtype × shape, tensors tile the data section from
 * byte 0 with no overlap and no hole, and the data section ends exactly at the end of the file.
 */
import { missingTensorError, type TensorSourceInfo } from './tensor-source.js';
import { CaptuneError } from '../errors/captune-error.js';
import {
  SAFETENSORS_DTYPES,
  safetensorsDtypeSize,
  isSafetensorsDtype,
  type SafetensorsDtype,
} from './safetensors-dtype.js';

/** The reference crate's `MAX_HEADER_SIZE`. */
export const MAX_HEADER_SIZE = 100_000_000;

export interface SafetensorsTensorInfo {
  readonly name: string;
  readonly dtype: SafetensorsDtype;
  readonly shape: readonly number[];
  /** `[begin, end)` relative to the start of the data section. */
  readonly dataOffsets: readonly [number, number];
}

export interface SafetensorsHeader {
  /** Length of the JSON header in bytes (the u64 prefix), padding included. */
  readonly headerSize: number;
  /** Absolute file offset of the data section: 8 + headerSize. */
  readonly dataStart: number;
  /** Absolute file offset where the data section ends (= the file size of a valid file). */
  readonly dataEnd: number;
  readonly metadata: Readonly<Record<string, string>>;
  /** Tensors in data-offset order (the order they sit in the file). */
  readonly tensors: readonly SafetensorsTensorInfo[];
  readonly byName: ReadonlyMap<string, SafetensorsTensorInfo>;
}

function fail(file: string, problem: string): never {
  throw new CaptuneError(`${file}: ${problem}`);
}

const fmtShape = (shape: readonly number[]): string => `[${shape.join(', ')}]`;
const fmtOffsets = (o: readonly [number, number]): string => `[${o[0]}, ${o[1]}]`;

/**
 * Reads the header length from the first 8 bytes of a file. `fileSize`, when known, catches a
 * header that runs past the end of the file.
 */
export function readHeaderSize(prefix: Uint8Array, file: string, fileSize?: number): number {
  if (prefix.length < 8) {
    fail(
      file,
      `file is ${fileSize ?? prefix.length} bytes, too short for a safetensors file (it starts with an 8-byte header length)`,
    );
  }
  const n = new DataView(prefix.buffer, prefix.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(MAX_HEADER_SIZE)) {
    fail(
      file,
      `header length ${n} exceeds the ${MAX_HEADER_SIZE}-byte limit (is this a safetensors file?)`,
    );
  }
  const size = Number(n);
  if (size < 2) fail(file, `header length ${size} is too small for a JSON object`);
  if (fileSize !== undefined && 8 + size > fileSize) {
    fail(
      file,
      `header length ${size} runs past the end of the file (file is ${fileSize} bytes, header would end at byte ${8 + size})`,
    );
  }
  return size;
}

function decodeJson(bytes: Uint8Array, file: string): unknown {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    fail(file, 'header is not valid UTF-8');
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    fail(file, `header is not valid JSON (${(error as Error).message.split('\n')[0]})`);
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isIndex(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function parseMetadata(value: unknown, file: string): Record<string, string> {
  if (value === null || value === undefined) return {};
  if (!isPlainObject(value))
    fail(file, '__metadata__ must be an object mapping strings to strings');
  const out: Record<string, string> = {};
  for (const [key, v] of Object.entries(value)) {
    if (typeof v !== 'string') {
      fail(file, `__metadata__ must map strings to strings, but "${key}" is ${JSON.stringify(v)}`);
    }
    out[key] = v;
  }
  return out;
}

function parseEntry(name: string, value: unknown, file: string): SafetensorsTensorInfo {
  const where = `tensor "${name}"`;
  if (!isPlainObject(value)) fail(file, `${where} must be an object {dtype, shape, data_offsets}`);
  const { dtype, shape, data_offsets: offsets } = value;
  if (typeof dtype !== 'string') fail(file, `${where} has no dtype string`);
  if (!isSafetensorsDtype(dtype)) {
    fail(file, `${where} has unknown dtype "${dtype}" (known: ${SAFETENSORS_DTYPES.join(', ')})`);
  }
  if (!Array.isArray(shape) || !shape.every(isIndex)) {
    fail(
      file,
      `${where} has shape ${JSON.stringify(shape)}; expected an array of non-negative integers`,
    );
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isIndex)) {
    fail(
      file,
      `${where} has data_offsets ${JSON.stringify(offsets)}; expected [begin, end] non-negative integers`,
    );
  }
  const dataOffsets: [number, number] = [offsets[0] as number, offsets[1] as number];
  if (dataOffsets[1] < dataOffsets[0]) {
    fail(
      file,
      `${where} has data_offsets ${fmtOffsets(dataOffsets)} whose end is before its begin`,
    );
  }
  let numel = 1;
  for (const d of shape as number[]) numel *= d;
  const nbytes = numel * safetensorsDtypeSize(dtype);
  if (!Number.isSafeInteger(nbytes)) {
    fail(file, `${where} has shape ${fmtShape(shape as number[])} too large to address`);
  }
  if (dataOffsets[1] - dataOffsets[0] !== nbytes) {
    fail(
      file,
      `${where} has data_offsets ${fmtOffsets(dataOffsets)} but dtype ${dtype} and shape ${fmtShape(shape as number[])} need ${nbytes} bytes`,
    );
  }
  return { name, dtype, shape: [...(shape as number[])], dataOffsets };
}

/** Checks that the tensors tile `[0, end)` exactly, and returns that end. */
function checkCoverage(sorted: readonly SafetensorsTensorInfo[], file: string): number {
  let start = 0;
  let previous: SafetensorsTensorInfo | undefined;
  for (const info of sorted) {
    const [begin, end] = info.dataOffsets;
    if (begin < start && previous) {
      fail(
        file,
        `tensors "${previous.name}" and "${info.name}" overlap (data_offsets ${fmtOffsets(previous.dataOffsets)} and ${fmtOffsets(info.dataOffsets)})`,
      );
    }
    if (begin > start) {
      fail(
        file,
        `bytes [${start}, ${begin}) of the data section belong to no tensor (a hole before tensor "${info.name}")`,
      );
    }
    start = end;
    previous = info;
  }
  return start;
}

/**
 * Parses the JSON header bytes (the `headerSize` bytes after the 8-byte prefix). With
 * `fileSize`, also checks that the data section ends exactly at the end of the file.
 */
export function parseSafetensorsHeader(
  headerBytes: Uint8Array,
  options: { file: string; fileSize?: number },
): SafetensorsHeader {
  const { file, fileSize } = options;
  const json = decodeJson(headerBytes, file);
  if (!isPlainObject(json)) fail(file, 'header is not a JSON object');
  let metadata: Record<string, string> = {};
  const tensors: SafetensorsTensorInfo[] = [];
  for (const [name, value] of Object.entries(json)) {
    if (name === '__metadata__') metadata = parseMetadata(value, file);
    else tensors.push(parseEntry(name, value, file));
  }
  // Older writers ordered entries by name; the data layout is what matters.
  tensors.sort(
    (a, b) => a.dataOffsets[0] - b.dataOffsets[0] || a.dataOffsets[1] - b.dataOffsets[1],
  );
  const dataLength = checkCoverage(tensors, file);
  const dataStart = 8 + headerBytes.length;
  const dataEnd = dataStart + dataLength;
  if (fileSize !== undefined && fileSize !== dataEnd) {
    const last = tensors[tensors.length - 1];
    const detail =
      fileSize < dataEnd
        ? `; the file is truncated or the header is wrong (tensor "${last?.name}" ends there)`
        : `; the last ${fileSize - dataEnd} bytes belong to no tensor`;
    fail(
      file,
      `file is ${fileSize} bytes but its header says the data section ends at byte ${dataEnd}${detail}`,
    );
  }
  return {
    headerSize: headerBytes.length,
    dataStart,
    dataEnd,
    metadata,
    tensors,
    byName: new Map(tensors.map((t) => [t.name, t])),
  };
}

/** Parses the header of a whole safetensors file held in memory. */
export function parseSafetensorsBytes(bytes: Uint8Array, file: string): SafetensorsHeader {
  const size = readHeaderSize(bytes.subarray(0, 8), file, bytes.length);
  return parseSafetensorsHeader(bytes.subarray(8, 8 + size), { file, fileSize: bytes.length });
}

/** The header entry of tensor `name`; a missing one is the one-line error naming `file`. */
export function headerEntry(
  header: SafetensorsHeader,
  file: string,
  name: string,
): SafetensorsTensorInfo {
  const info = header.byName.get(name);
  if (!info)
    throw missingTensorError(
      file,
      name,
      header.tensors.map((t) => t.name),
    );
  return info;
}

/** A header entry as the `TensorSource.info` every safetensors reader returns. */
export function headerTensorInfo(
  header: SafetensorsHeader,
  file: string,
  name: string,
): TensorSourceInfo {
  const e = headerEntry(header, file, name);
  return {
    name,
    dtype: e.dtype,
    shape: e.shape,
    byteLength: e.dataOffsets[1] - e.dataOffsets[0],
    file,
  };
}
