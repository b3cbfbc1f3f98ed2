import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serializeSafetensors, type TensorToWrite } from '../checkpoint/safetensors-serialize.js';
import { SafetensorsFile } from './safetensors-file.js';
import { writeSafetensors } from './safetensors-writer.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'captune-stwrite-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const ramp = (n: number) => Float32Array.from({ length: n }, (_, i) => i / 7 - 3);
const tensors: Record<string, TensorToWrite> = {
  a: { dtype: 'F32', shape: [5, 3], data: ramp(15) },
  b: { dtype: 'F16', shape: [7], data: ramp(7) },
  c: { dtype: 'BF16', shape: [11], data: ramp(11) },
  d: { dtype: 'I64', shape: [5], data: new Int32Array([1, -2, 3, -4, 5]) },
  e: { dtype: 'I32', shape: [2, 2], data: new Int32Array([9, 8, 7, 6]) },
};

describe('writeSafetensors', () => {
  it('writes the same bytes as serializeSafetensors, in small chunks, and reads back', async () => {
    const path = join(dir, 'out.safetensors');
    const size = await writeSafetensors(path, tensors, {
      metadata: { format: 'pt' },
      chunkElements: 3,
    });
    const expected = serializeSafetensors(tensors, { metadata: { format: 'pt' } });
    const written = new Uint8Array(await readFile(path));
    expect(size).toBe(expected.length);
    expect(written).toEqual(expected);
    const st = await SafetensorsFile.open(path);
    expect([...(await st.readTensor('d')).data]).toEqual([1, -2, 3, -4, 5]);
    expect([...(await st.readTensor('a')).data]).toEqual([...tensors.a!.data]);
    await st.close();
    expect(await readdir(dir)).toEqual(['out.safetensors']);
  });

  it('produces lazy tensors one at a time, in file order', async () => {
    const path = join(dir, 'lazy.safetensors');
    const calls: string[] = [];
    const lazy = (name: string, data: Float32Array) => async () => {
      calls.push(name);
      await Promise.resolve();
      return data;
    };
    await writeSafetensors(path, {
      z: { dtype: 'F32', shape: [2], data: lazy('z', new Float32Array([1, 2])) },
      y: { dtype: 'F16', shape: [1], data: lazy('y', new Float32Array([3])) },
      x: { dtype: 'F32', shape: [1], data: lazy('x', new Float32Array([4])) },
    });
    expect(calls).toEqual(['x', 'z', 'y']);
    const st = await SafetensorsFile.open(path);
    expect([...(await st.readTensor('y')).data]).toEqual([3]);
    await st.close();
  });

  it('leaves an existing file untouched and no temp file behind when writing fails', async () => {
    const path = join(dir, 'keep.safetensors');
    await writeFile(path, 'old contents');
    await expect(
      writeSafetensors(path, {
        a: { dtype: 'F32', shape: [1], data: new Float32Array([1]) },
        b: {
          dtype: 'F32',
          shape: [2],
          data: () => {
            throw new Error('producer failed');
          },
        },
      }),
    ).rejects.toThrow('producer failed');
    await expect(
      writeSafetensors(path, { a: { dtype: 'F32', shape: [3], data: new Float32Array([1]) } }),
    ).rejects.toThrow(
      `${path}: tensor "a" (dtype F32, shape [3]) needs a Float32Array of 3 values, got Float32Array of 1`,
    );
    expect(await readFile(path, 'utf8')).toBe('old contents');
    expect((await readdir(dir)).filter((f) => f.startsWith('keep'))).toEqual(['keep.safetensors']);
  });

  it('replaces an existing file atomically on success', async () => {
    const path = join(dir, 'replace.safetensors');
    await writeFile(path, 'old contents');
    await writeSafetensors(path, {
      only: { dtype: 'I32', shape: [1], data: new Int32Array([42]) },
    });
    const st = await SafetensorsFile.open(path);
    expect([...(await st.readTensor('only')).data]).toEqual([42]);
    await st.close();
  });

  it('names the path when the folder does not exist', async () => {
    const path = join(dir, 'no-such-dir', 'x.safetensors');
    await expect(writeSafetensors(path, {})).rejects.toThrow(`${path}: cannot write:`);
  });
});
