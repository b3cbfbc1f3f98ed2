import { describe, expect, it } from 'vitest';
import { CaptuneError } from '../errors/captune-error.js';
import { SafetensorsBuffer } from './safetensors-buffer.js';
import {
  planSafetensors,
  serializeSafetensors,
  type TensorToWrite,
} from './safetensors-serialize.js';

const f32 = (...v: number[]) => new Float32Array(v);

describe('serializeSafetensors: byte-exact with the reference crate (tensor.rs tests)', () => {
  it('test_serialization', () => {
    const out = serializeSafetensors({
      'attn.0': { dtype: 'F32', shape: [1, 2, 3], data: f32(0, 1, 2, 3, 4, 5) },
    });
    // prettier-ignore
    expect([...out]).toEqual([
      64, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 46, 48, 34, 58, 123, 34, 100,
      116, 121, 112, 101, 34, 58, 34, 70, 51, 50, 34, 44, 34, 115, 104, 97, 112, 101, 34,
      58, 91, 49, 44, 50, 44, 51, 93, 44, 34, 100, 97, 116, 97, 95, 111, 102, 102, 115,
      101, 116, 115, 34, 58, 91, 48, 44, 50, 52, 93, 125, 125, 0, 0, 0, 0, 0, 0, 128, 63,
      0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64,
    ]);
  });

  it('test_serialization_forced_alignement (space padding)', () => {
    const out = serializeSafetensors({
      attn0: { dtype: 'F32', shape: [1, 1, 2, 3], data: f32(0, 1, 2, 3, 4, 5) },
    });
    expect(out.length).toBe(8 + 72 + 24);
    expect(out[0]).toBe(72);
    const header = new TextDecoder().decode(out.subarray(8, 80));
    expect(header).toBe('{"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}}       ');
  });

  it('test_empty, with and without metadata', () => {
    expect([...serializeSafetensors({})]).toEqual([
      8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32,
    ]);
    const withMeta = serializeSafetensors({}, { metadata: { framework: 'pt' } });
    expect(withMeta[0]).toBe(40);
    expect(new TextDecoder().decode(withMeta.subarray(8))).toBe(
      '{"__metadata__":{"framework":"pt"}}     ',
    );
  });
});

describe('planSafetensors ordering', () => {
  it('sorts by dtype alignment (descending) then by name bytes, like prepare() in tensor.rs', () => {
    const spec = (dtype: TensorToWrite['dtype']) => ({ dtype, shape: [1] });
    const plan = planSafetensors({
      h16: spec('F16'),
      b: spec('F32'),
      '0': spec('F32'),
      a: spec('F32'),
      i: spec('I32'),
      l: spec('I64'),
      bf: spec('BF16'),
      é: spec('F32'),
      z: spec('F32'),
    });
    expect(plan.tensors.map((t) => t.name)).toEqual([
      'l',
      '0',
      'a',
      'b',
      'z',
      'é',
      'i',
      'bf',
      'h16',
    ]);
    expect(plan.tensors.map((t) => t.begin)).toEqual([0, 8, 12, 16, 20, 24, 28, 32, 34]);
    const json = new TextDecoder().decode(plan.headerBytes.subarray(8)).trimEnd();
    expect(Object.keys(JSON.parse(json) as object)).toContain('0');
    expect(json.indexOf('"l"')).toBeLessThan(json.indexOf('"0"')); // file order, not JS key order
    expect(plan.headerBytes.length % 8).toBe(0);
  });
});

describe('round trip through SafetensorsBuffer', () => {
  const tensors: Record<string, TensorToWrite> = {
    w32: { dtype: 'F32', shape: [2, 3], data: f32(1.5, -2, 3.25, 1e-30, -0, 7) },
    w16: { dtype: 'F16', shape: [4], data: f32(1, -0.5, 65504, 2 ** -24) },
    wbf: { dtype: 'BF16', shape: [2, 2], data: f32(1, 3.140625, -123.5, 2 ** -133) },
    ids32: { dtype: 'I32', shape: [3], data: new Int32Array([0, -7, 2147483647]) },
    ids64: { dtype: 'I64', shape: [3], data: new Int32Array([1, -1, -2147483648]) },
    scalar: { dtype: 'F32', shape: [], data: f32(42) },
    empty: { dtype: 'F16', shape: [0, 5], data: f32() },
  };

  it('reads back every dtype exactly, with metadata', () => {
    const bytes = serializeSafetensors(tensors, { metadata: { format: 'pt', note: 'ünïcode' } });
    const st = new SafetensorsBuffer(bytes, 'mem.safetensors');
    expect(st.metadata).toEqual({ format: 'pt', note: 'ünïcode' });
    expect(new Set(st.names())).toEqual(new Set(Object.keys(tensors)));
    for (const [name, t] of Object.entries(tensors)) {
      const got = st.readTensor(name);
      expect(got.shape).toEqual(t.shape);
      expect(got.sourceDtype).toBe(t.dtype);
      expect(got.dtype).toBe(t.data instanceof Float32Array ? 'float32' : 'int32');
      expect(got.data.constructor).toBe(t.data.constructor);
      expect([...got.data]).toEqual([...t.data]);
    }
    expect(Object.is(st.readTensor('w32').data[4], -0)).toBe(true);
    expect(st.info('w16')).toEqual({
      name: 'w16',
      dtype: 'F16',
      shape: [4],
      byteLength: 8,
      file: 'mem.safetensors',
    });
  });

  it('rounds float32 to F16/BF16 on write', () => {
    const bytes = serializeSafetensors({
      h: { dtype: 'F16', shape: [2], data: f32(1 + 2 ** -11, 0.1) },
      b: { dtype: 'BF16', shape: [1], data: f32(0.1) },
    });
    const st = new SafetensorsBuffer(bytes);
    expect([...st.readTensor('h').data]).toEqual([1, 0.0999755859375]);
    expect([...st.readTensor('b').data]).toEqual([0.10009765625]);
  });

  it('reads from an unaligned view and never aliases the file bytes', () => {
    const bytes = serializeSafetensors(tensors);
    const host = new Uint8Array(bytes.length + 3);
    host.set(bytes, 3);
    const st = new SafetensorsBuffer(host.subarray(3));
    const w = st.readTensor('w32');
    expect([...w.data]).toEqual([...tensors.w32!.data]);
    w.data[0] = 99;
    expect(st.readTensor('w32').data[0]).toBe(1.5);
    expect([...st.readTensor('ids64').data]).toEqual([1, -1, -2147483648]);
  });

  it('reads a file whose header is not padded (tensor data at odd offsets)', () => {
    const json = new TextEncoder().encode('{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}');
    const bytes = new Uint8Array(8 + json.length + 8);
    new DataView(bytes.buffer).setBigUint64(0, BigInt(json.length), true);
    bytes.set(json, 8);
    new DataView(bytes.buffer).setFloat32(8 + json.length, 2.5, true);
    new DataView(bytes.buffer).setFloat32(12 + json.length, -1, true);
    expect(json.length % 4).not.toBe(0);
    expect([...new SafetensorsBuffer(bytes).readTensor('x').data]).toEqual([2.5, -1]);
  });

  it('names the tensor when its dtype cannot be loaded, or it is missing', async () => {
    const json = new TextEncoder().encode(
      '{"mask":{"dtype":"BOOL","shape":[2],"data_offsets":[0,2]}}',
    );
    const bytes = new Uint8Array(8 + json.length + 2);
    new DataView(bytes.buffer).setBigUint64(0, BigInt(json.length), true);
    bytes.set(json, 8);
    const st = new SafetensorsBuffer(bytes, 'x.safetensors');
    expect(() => st.readTensor('mask')).toThrow(
      'x.safetensors: tensor "mask" has dtype BOOL, which captune cannot load (it loads F32, F16, BF16, I64, I32)',
    );
    expect(() => st.readTensor('nope')).toThrow(
      'x.safetensors: no tensor named "nope" (it has 1 tensors: "mask")',
    );
    await expect(st.read('nope')).rejects.toBeInstanceOf(CaptuneError);
  });
});

describe('serializeSafetensors input checks', () => {
  it('rejects data of the wrong type or length, naming the tensor', () => {
    expect(() =>
      serializeSafetensors(
        { a: { dtype: 'F16', shape: [2, 2], data: f32(1, 2, 3) } },
        { file: 'out.safetensors' },
      ),
    ).toThrow(
      'out.safetensors: tensor "a" (dtype F16, shape [2, 2]) needs a Float32Array of 4 values, got Float32Array of 3',
    );
    expect(() => serializeSafetensors({ a: { dtype: 'I64', shape: [1], data: f32(1) } })).toThrow(
      'needs a Int32Array of 1 values, got Float32Array of 1',
    );
  });

  it('rejects bad dtypes, shapes and the reserved name', () => {
    expect(() =>
      serializeSafetensors({ a: { dtype: 'U8' as 'F32', shape: [1], data: f32(1) } }),
    ).toThrow('tensor "a" has dtype U8; captune writes F32, F16, BF16, I32, I64');
    expect(() => serializeSafetensors({ a: { dtype: 'F32', shape: [1.5], data: f32(1) } })).toThrow(
      'has shape [1.5]',
    );
    expect(() =>
      serializeSafetensors({ __metadata__: { dtype: 'F32', shape: [1], data: f32(1) } }),
    ).toThrow('"__metadata__" is reserved');
  });
});
