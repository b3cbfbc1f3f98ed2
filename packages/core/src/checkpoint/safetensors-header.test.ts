import { describe, expect, it } from 'vitest';
import { CaptuneError } from '../errors/captune-error.js';
import { MAX_HEADER_SIZE, parseSafetensorsBytes, readHeaderSize } from './safetensors-header.js';

/** A safetensors file from raw header text and `dataLength` zero bytes (no padding added). */
function raw(header: string | object, dataLength: number, headerLength?: bigint): Uint8Array {
  const json = new TextEncoder().encode(
    typeof header === 'string' ? header : JSON.stringify(header),
  );
  const out = new Uint8Array(8 + json.length + dataLength);
  new DataView(out.buffer).setBigUint64(0, headerLength ?? BigInt(json.length), true);
  out.set(json, 8);
  return out;
}

const F = 'model.safetensors';
const parse = (bytes: Uint8Array) => parseSafetensorsBytes(bytes, F);
const problem = (bytes: Uint8Array): string => {
  try {
    parse(bytes);
  } catch (error) {
    expect(error).toBeInstanceOf(CaptuneError);
    const message = (error as Error).message;
    expect(message.startsWith(`${F}: `)).toBe(true);
    expect(message).not.toContain('\n');
    return message.slice(F.length + 2);
  }
  throw new Error('expected the header to be rejected');
};

describe('parseSafetensorsBytes: valid files', () => {
  it('reads the reference crate test vector (tensor.rs test_serialization)', () => {
    // prettier-ignore
    const bytes = new Uint8Array([
      64, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 46, 48, 34, 58, 123, 34, 100,
      116, 121, 112, 101, 34, 58, 34, 70, 51, 50, 34, 44, 34, 115, 104, 97, 112, 101, 34,
      58, 91, 49, 44, 50, 44, 51, 93, 44, 34, 100, 97, 116, 97, 95, 111, 102, 102, 115,
      101, 116, 115, 34, 58, 91, 48, 44, 50, 52, 93, 125, 125, 0, 0, 0, 0, 0, 0, 128, 63,
      0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64,
    ]);
    const h = parse(bytes);
    expect(h.headerSize).toBe(64);
    expect(h.dataStart).toBe(72);
    expect(h.dataEnd).toBe(bytes.length);
    expect(h.tensors).toEqual([
      { name: 'attn.0', dtype: 'F32', shape: [1, 2, 3], dataOffsets: [0, 24] },
    ]);
    expect(h.metadata).toEqual({});
  });

  it('orders tensors by offset whatever the JSON order, and reads metadata', () => {
    const h = parse(
      raw(
        {
          b: { dtype: 'F16', shape: [2], data_offsets: [8, 12] },
          __metadata__: { format: 'pt' },
          a: { dtype: 'I64', shape: [1], data_offsets: [0, 8] },
          empty: { dtype: 'F32', shape: [0, 3], data_offsets: [12, 12] },
          s: { dtype: 'F32', shape: [], data_offsets: [12, 16] },
        },
        16,
      ),
    );
    expect(h.tensors.map((t) => t.name)).toEqual(['a', 'b', 'empty', 's']);
    expect(h.byName.get('s')?.shape).toEqual([]);
    expect(h.metadata).toEqual({ format: 'pt' });
  });

  it('accepts dtypes it cannot load (they fail only when read) and trailing-space padding', () => {
    const h = parse(raw('{"m":{"dtype":"U8","shape":[3],"data_offsets":[0,3]}}   ', 3));
    expect(h.tensors[0]?.dtype).toBe('U8');
    expect(parse(raw('{}', 0)).tensors).toEqual([]);
  });
});

describe('parseSafetensorsBytes: every way a header can be wrong', () => {
  it('names a file too short for the length prefix', () => {
    expect(problem(new Uint8Array(5))).toBe(
      'file is 5 bytes, too short for a safetensors file (it starts with an 8-byte header length)',
    );
  });

  it('caps the header length at 100 MB', () => {
    expect(problem(raw('{}', 0, 0xffffffffffffffffn))).toBe(
      `header length 18446744073709551615 exceeds the ${MAX_HEADER_SIZE}-byte limit (is this a safetensors file?)`,
    );
    expect(problem(raw('{}', 0, BigInt(MAX_HEADER_SIZE + 1)))).toContain(
      'exceeds the 100000000-byte limit',
    );
  });

  it('names a header longer than the file', () => {
    expect(problem(raw('{}', 0, 1000n))).toBe(
      'header length 1000 runs past the end of the file (file is 10 bytes, header would end at byte 1008)',
    );
  });

  it('rejects bad JSON, bad UTF-8 and non-objects', () => {
    expect(problem(raw('{"a": ', 0))).toMatch(/^header is not valid JSON \(/);
    const bad = raw('{"a":1}', 0);
    bad[10] = 0xff;
    expect(problem(bad)).toBe('header is not valid UTF-8');
    expect(problem(raw('[1, 2]', 0))).toBe('header is not a JSON object');
  });

  it('names the tensor and dtype of an unknown dtype', () => {
    expect(
      problem(raw({ 'h.0.w': { dtype: 'F128', shape: [1], data_offsets: [0, 16] } }, 16)),
    ).toBe(
      'tensor "h.0.w" has unknown dtype "F128" (known: BOOL, U8, I8, F8_E5M2, F8_E4M3, F8_E8M0, I16, U16, F16, BF16, I32, U32, F32, F64, I64, U64)',
    );
  });

  it('rejects a byte length that does not match dtype and shape', () => {
    const header = {
      'h.0.attn.c_attn.weight': { dtype: 'F32', shape: [3, 5], data_offsets: [0, 100] },
    };
    expect(problem(raw(header, 100))).toBe(
      'tensor "h.0.attn.c_attn.weight" has data_offsets [0, 100] but dtype F32 and shape [3, 5] need 60 bytes',
    );
  });

  it('rejects overlapping tensors, naming both', () => {
    const header = {
      a: { dtype: 'F32', shape: [4], data_offsets: [0, 16] },
      b: { dtype: 'F32', shape: [4], data_offsets: [8, 24] },
    };
    expect(problem(raw(header, 24))).toBe(
      'tensors "a" and "b" overlap (data_offsets [0, 16] and [8, 24])',
    );
  });

  it('rejects holes, at the start or between tensors', () => {
    const between = {
      a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
      b: { dtype: 'F32', shape: [2], data_offsets: [12, 20] },
    };
    expect(problem(raw(between, 20))).toBe(
      'bytes [8, 12) of the data section belong to no tensor (a hole before tensor "b")',
    );
    const start = { a: { dtype: 'F16', shape: [2], data_offsets: [4, 8] } };
    expect(problem(raw(start, 8))).toBe(
      'bytes [0, 4) of the data section belong to no tensor (a hole before tensor "a")',
    );
  });

  it('rejects offsets past the end of the file (truncated file)', () => {
    const header = {
      a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
      b: { dtype: 'F32', shape: [4], data_offsets: [8, 24] },
    };
    const bytes = raw(header, 24).subarray(0, -10);
    const end = bytes.length + 10;
    expect(problem(bytes)).toBe(
      `file is ${bytes.length} bytes but its header says the data section ends at byte ${end}; the file is truncated or the header is wrong (tensor "b" ends there)`,
    );
  });

  it('rejects trailing bytes no tensor covers', () => {
    const bytes = raw({ a: { dtype: 'I32', shape: [1], data_offsets: [0, 4] } }, 7);
    expect(problem(bytes)).toBe(
      `file is ${bytes.length} bytes but its header says the data section ends at byte ${bytes.length - 3}; the last 3 bytes belong to no tensor`,
    );
  });

  it('rejects malformed entries', () => {
    expect(problem(raw({ a: { dtype: 'F32', shape: [-1], data_offsets: [0, 0] } }, 0))).toBe(
      'tensor "a" has shape [-1]; expected an array of non-negative integers',
    );
    expect(problem(raw({ a: { dtype: 'F32', shape: [1], data_offsets: [0] } }, 4))).toBe(
      'tensor "a" has data_offsets [0]; expected [begin, end] non-negative integers',
    );
    expect(problem(raw({ a: { dtype: 'F32', shape: [1], data_offsets: [8, 4] } }, 8))).toBe(
      'tensor "a" has data_offsets [8, 4] whose end is before its begin',
    );
    expect(problem(raw({ a: [1] }, 0))).toBe(
      'tensor "a" must be an object {dtype, shape, data_offsets}',
    );
    expect(problem(raw({ a: { shape: [1], data_offsets: [0, 4] } }, 4))).toBe(
      'tensor "a" has no dtype string',
    );
    expect(problem(raw({ __metadata__: { n: 3 } }, 0))).toBe(
      '__metadata__ must map strings to strings, but "n" is 3',
    );
  });

  it('readHeaderSize works on the prefix alone', () => {
    const bytes = raw('{}', 0);
    expect(readHeaderSize(bytes.subarray(0, 8), F)).toBe(2);
  });
});
