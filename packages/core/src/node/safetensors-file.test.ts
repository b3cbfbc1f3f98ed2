import { mkdtemp, open, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CaptuneError } from '../errors/captune-error.js';
import { serializeSafetensors, type TensorToWrite } from '../checkpoint/safetensors-serialize.js';
import { SafetensorsFile } from './safetensors-file.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'captune-stfile-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const tensors: Record<string, TensorToWrite> = {
  'h.0.attn.c_attn.weight': {
    dtype: 'F32',
    shape: [2, 3],
    data: new Float32Array([1, 2, 3, 4, 5, -6]),
  },
  'h.0.ln_1.weight': { dtype: 'F16', shape: [3], data: new Float32Array([0.5, -1, 2 ** -24]) },
  'h.0.ln_1.bias': { dtype: 'BF16', shape: [2], data: new Float32Array([3.140625, -0]) },
  position_ids: { dtype: 'I64', shape: [1, 4], data: new Int32Array([0, 1, 2, 3]) },
  counts: { dtype: 'I32', shape: [2], data: new Int32Array([-5, 9]) },
};

async function messageOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CaptuneError);
  return (error as Error).message;
}

describe('SafetensorsFile', () => {
  it('lists tensors from the header and reads each one back', async () => {
    const path = join(dir, 'model.safetensors');
    await writeFile(path, serializeSafetensors(tensors, { metadata: { format: 'pt' } }));
    const st = await SafetensorsFile.open(path);
    try {
      expect(st.metadata).toEqual({ format: 'pt' });
      expect(st.names()).toEqual([
        'position_ids',
        'h.0.attn.c_attn.weight',
        'counts',
        'h.0.ln_1.bias',
        'h.0.ln_1.weight',
      ]);
      expect(st.info('h.0.ln_1.weight')).toEqual({
        name: 'h.0.ln_1.weight',
        dtype: 'F16',
        shape: [3],
        byteLength: 6,
        file: path,
      });
      for (const [name, t] of Object.entries(tensors)) {
        const got = await st.readTensor(name);
        expect(got.sourceDtype).toBe(t.dtype);
        expect(got.shape).toEqual(t.shape);
        expect([...got.data]).toEqual([...t.data]);
        expect(got.data.byteOffset).toBe(0);
        expect(got.data.buffer.byteLength).toBe(got.data.byteLength); // its own buffer, not a shared pool
      }
      expect(await messageOf(st.read('missing'))).toContain(
        `${path}: no tensor named "missing" (it has 5 tensors:`,
      );
    } finally {
      await st.close();
    }
    await expect(st.readTensor('counts')).rejects.toThrow('read of tensor "counts" after close');
  });

  it('reads only the header at open, and only the requested byte range per tensor', async () => {
    // A 1 GiB tensor declared first, a 16-byte one after it: a sparse file, so no disk is used.
    const big = 1 << 30;
    const json = JSON.stringify({
      big: { dtype: 'F32', shape: [big / 4], data_offsets: [0, big] },
      small: { dtype: 'F32', shape: [4], data_offsets: [big, big + 16] },
    });
    const header = new TextEncoder().encode(json.padEnd(Math.ceil(json.length / 8) * 8, ' '));
    const prefix = new Uint8Array(8);
    new DataView(prefix.buffer).setBigUint64(0, BigInt(header.length), true);
    const path = join(dir, 'sparse.safetensors');
    const h = await open(path, 'w');
    await h.write(prefix, 0, 8, 0);
    await h.write(header, 0, header.length, 8);
    const small = new Uint8Array(new Float32Array([1, 2, 3, 4]).buffer);
    await h.write(small, 0, 16, 8 + header.length + big);
    const proto = Object.getPrototypeOf(h) as { read: (...args: unknown[]) => unknown };
    await h.close();

    const spy = vi.spyOn(proto, 'read');
    try {
      const st = await SafetensorsFile.open(path);
      const atOpen = spy.mock.calls.reduce((sum, call) => sum + (call[2] as number), 0);
      expect(atOpen).toBe(8 + header.length);
      expect([...(await st.readTensor('small')).data]).toEqual([1, 2, 3, 4]);
      const total = spy.mock.calls.reduce((sum, call) => sum + (call[2] as number), 0);
      expect(total).toBe(8 + header.length + 16);
      expect(spy.mock.calls.at(-1)?.[3]).toBe(8 + header.length + big);
      expect(st.info('big').byteLength).toBe(big);
      await st.close();
    } finally {
      spy.mockRestore();
    }
  });

  it('refuses a truncated file at open, naming it', async () => {
    const path = join(dir, 'truncated.safetensors');
    const bytes = serializeSafetensors(tensors);
    await writeFile(path, bytes);
    await truncate(path, bytes.length - 5);
    expect(await messageOf(SafetensorsFile.open(path))).toBe(
      `${path}: file is ${bytes.length - 5} bytes but its header says the data section ends at byte ${bytes.length}; the file is truncated or the header is wrong (tensor "h.0.ln_1.weight" ends there)`,
    );
  });

  it('refuses a header longer than the file, a tiny file, and a missing file', async () => {
    const path = join(dir, 'short.safetensors');
    const bytes = serializeSafetensors(tensors);
    await writeFile(path, bytes.subarray(0, 40));
    const headerSize = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(await messageOf(SafetensorsFile.open(path))).toBe(
      `${path}: header length ${headerSize} runs past the end of the file (file is 40 bytes, header would end at byte ${8 + headerSize})`,
    );
    await writeFile(path, new Uint8Array(3));
    expect(await messageOf(SafetensorsFile.open(path))).toBe(
      `${path}: file is 3 bytes, too short for a safetensors file (it starts with an 8-byte header length)`,
    );
    const missing = join(dir, 'nope.safetensors');
    expect(await messageOf(SafetensorsFile.open(missing))).toBe(
      `${missing}: cannot open safetensors file: no such file`,
    );
  });

  it('refuses a pickle renamed to .safetensors with a one-line message', async () => {
    const path = join(dir, 'pickle.safetensors');
    await writeFile(path, Buffer.from('80025d7100', 'hex'));
    expect(await messageOf(SafetensorsFile.open(path))).toMatch(/too short for a safetensors file/);
    await writeFile(path, Buffer.concat([Buffer.from('8002', 'hex'), Buffer.alloc(200)]));
    expect(await messageOf(SafetensorsFile.open(path))).toMatch(
      /^.*pickle\.safetensors: header length \d+ /,
    );
  });
});
