// TfjsBackend as a whole on wasm and cpu: identity, data movement ops, copies on upload and
// read, memory tracking and closing, and two instances on different tfjs backends.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '@captune/core';
import { TEST_DEVICES, read, ref, seq } from './kernel-test-utils.js';
import { tfjsBackendProvider } from './tfjs-backend-provider.js';

describe.each(TEST_DEVICES)('TfjsBackend on %s', (device) => {
  let b: Backend;
  beforeAll(async () => {
    b = await tfjsBackendProvider.create(device);
  });
  afterAll(async () => {
    await b.close();
  });

  it('is the tfjs backend on the requested device', () => {
    expect(b.name).toBe('tfjs');
    expect(b.device).toBe(device);
    expect(b.dtypes).toEqual(['float32', 'int32']);
  });

  it('shapes data: reshape, transpose, slice, concat, pad, broadcastTo', async () => {
    const x = ref(
      b,
      seq(6, (i) => i),
      [2, 3],
    );
    expect(
      await read(b, b.transpose(x, [1, 0], { shape: [3, 2], dtype: 'float32' }), [3, 2], 'float32'),
    ).toEqual([0, 3, 1, 4, 2, 5]);
    expect(
      await read(
        b,
        b.slice(x, [0, 1], [2, 2], { shape: [2, 2], dtype: 'float32' }),
        [2, 2],
        'float32',
      ),
    ).toEqual([1, 2, 4, 5]);
    expect(
      await read(b, b.concat([x, x], 0, { shape: [4, 3], dtype: 'float32' }), [4, 3], 'float32'),
    ).toEqual([0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5]);
    expect(
      await read(
        b,
        b.pad(
          x,
          [
            [0, 1],
            [1, 0],
          ],
          -1,
          { shape: [3, 4], dtype: 'float32' },
        ),
        [3, 4],
        'float32',
      ),
    ).toEqual([-1, 0, 1, 2, -1, 3, 4, 5, -1, -1, -1, -1]);
    expect(
      await read(
        b,
        b.broadcastTo(ref(b, [7, 8], [2, 1]), { shape: [2, 2], dtype: 'float32' }),
        [2, 2],
        'float32',
      ),
    ).toEqual([7, 7, 8, 8]);
    const r = b.reshape(x, { shape: [3, 2], dtype: 'float32' });
    expect(r).not.toBe(x.handle);
    b.dispose(x.handle); // the reshape keeps its data
    expect(await read(b, r, [3, 2], 'float32')).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('copies on upload and read, tracks memory, frees on dispose and close', async () => {
    const other = await tfjsBackendProvider.create(device);
    const src = Float32Array.from([1, 2, 3]);
    const h = other.upload(src, { shape: [3], dtype: 'float32' });
    src[0] = 99;
    const got = await other.read({ handle: h, shape: [3], dtype: 'float32' });
    expect(Array.from(got)).toEqual([1, 2, 3]);
    got[1] = 42;
    expect(Array.from(await other.read({ handle: h, shape: [3], dtype: 'float32' }))).toEqual([
      1, 2, 3,
    ]);
    const f = other.fill(0.5, { shape: [2, 2], dtype: 'float32' });
    expect(other.memory()).toEqual({ bytes: 28, tensors: 2 });
    other.dispose(f);
    expect(other.memory()).toEqual({ bytes: 12, tensors: 1 });
    await other.close();
    expect(other.memory()).toEqual({ bytes: 0, tensors: 0 });
    expect(() => other.fill(1, { shape: [1], dtype: 'float32' })).toThrow(/closed/);
  });
});

describe('two TfjsBackend instances on different devices in one process', () => {
  it('each runs its kernels on its own tfjs backend when interleaved', async () => {
    const wasm = await tfjsBackendProvider.create('wasm');
    const cpu = await tfjsBackendProvider.create('cpu');
    const a = ref(wasm, [1, 2], [2]);
    const c = ref(cpu, [3, 4], [2]);
    const s1 = wasm.binary('add', a, a, { shape: [2], dtype: 'float32' });
    const s2 = cpu.binary('mul', c, c, { shape: [2], dtype: 'float32' });
    const s3 = wasm.unary(
      'neg',
      { handle: s1, shape: [2], dtype: 'float32' },
      { shape: [2], dtype: 'float32' },
    );
    expect(await read(wasm, s3, [2], 'float32')).toEqual([-2, -4]);
    expect(await read(cpu, s2, [2], 'float32')).toEqual([9, 16]);
    // the tensors' data live on their own tfjs backends
    const tf = await import('@tensorflow/tfjs-core');
    const backendOf = (h: unknown) =>
      tf.engine().state.tensorInfo.get((h as { dataId: object }).dataId)?.backend;
    expect(backendOf(s3)).toBe(tf.engine().findBackend('wasm'));
    expect(backendOf(s2)).toBe(tf.engine().findBackend('cpu'));
    await wasm.close();
    await cpu.close();
  });
});
