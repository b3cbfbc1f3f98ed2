/**
 * Turns the raw little-endian bytes of one safetensors tensor into a captune host tensor:
 * F32 / I32 as they are, F16 / BF16 widened to float32, I64 narrowed to int32 (range-checked).
 * Copies when the bytes are not aligned for a typed-array view.
 */
import { CaptuneError } from '../errors/captune-error.js';
import { assertLittleEndianHost, decodeBf16, decodeF16, decodeI64 } from './dtype-convert.js';
import { LOADABLE_DTYPES, safetensorsDtypeSize, isLoadableDtype } from './safetensors-dtype.js';
import type { SafetensorsTensorInfo } from './safetensors-header.js';
import type { LoadedTensor } from './tensor-source.js';

export interface DecodeTensorOptions {
  /** Names the checkpoint in errors. */
  readonly file: string;
  /** The bytes are a fresh buffer nobody else holds: F32 / I32 may be returned as views over it. */
  readonly owned: boolean;
}

function aligned(bytes: Uint8Array, alignment: number): Uint8Array {
  return bytes.byteOffset % alignment === 0 ? bytes : bytes.slice();
}

export function decodeTensorBytes(
  bytes: Uint8Array,
  info: SafetensorsTensorInfo,
  options: DecodeTensorOptions,
): LoadedTensor {
  const where = `${options.file}: tensor "${info.name}"`;
  const { dtype } = info;
  if (!isLoadableDtype(dtype)) {
    throw new CaptuneError(
      `${where} has dtype ${dtype}, which captune cannot load (it loads ${LOADABLE_DTYPES.join(', ')})`,
    );
  }
  const expected = info.dataOffsets[1] - info.dataOffsets[0];
  if (bytes.length !== expected) {
    throw new CaptuneError(`${where}: got ${bytes.length} bytes, expected ${expected}`);
  }
  assertLittleEndianHost();
  const n = bytes.length / safetensorsDtypeSize(dtype);
  const shape = [...info.shape];
  switch (dtype) {
    case 'F32': {
      const src = options.owned ? aligned(bytes, 4) : bytes.slice();
      return {
        data: new Float32Array(src.buffer, src.byteOffset, n),
        shape,
        dtype: 'float32',
        sourceDtype: dtype,
      };
    }
    case 'I32': {
      const src = options.owned ? aligned(bytes, 4) : bytes.slice();
      return {
        data: new Int32Array(src.buffer, src.byteOffset, n),
        shape,
        dtype: 'int32',
        sourceDtype: dtype,
      };
    }
    case 'F16':
    case 'BF16': {
      const src = aligned(bytes, 2);
      const halves = new Uint16Array(src.buffer, src.byteOffset, n);
      const data = dtype === 'F16' ? decodeF16(halves) : decodeBf16(halves);
      return { data, shape, dtype: 'float32', sourceDtype: dtype };
    }
    case 'I64': {
      const src = aligned(bytes, 4);
      const data = decodeI64(new Int32Array(src.buffer, src.byteOffset, 2 * n), where);
      return { data, shape, dtype: 'int32', sourceDtype: dtype };
    }
  }
}
