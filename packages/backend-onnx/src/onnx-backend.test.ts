// The recording mechanics of the onnx backend: what is pending, what is materialised, what is
// dropped, session reuse across shapes, limits, errors and the session options.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaptuneError, Engine } from '@captune/core';
import { OnnxBackend } from './onnx-backend.js';
import { onnxBackendProvider } from './onnx-backend-provider.js';
import { loadOrt, type Ort } from './ort-runtime.js';

describe('onnx backend recording', () => {
  let backend: OnnxBackend;
  let e: Engine;
  beforeAll(async () => {
    backend = await onnxBackendProvider.createOnnx('cpu');
    e = new Engine(backend);
  });
  afterAll(async () => {
    await backend.close();
  });

  it('records kernels without running them until a read', async () => {
    const runs = backend.stats.runs;
    const x = e.tensor([1, 2, 3, 4], [2, 2]);
    const y = e.tidy(() => e.exp(e.mul(x, 2)));
    expect(backend.stats.pendingOps).toBeGreaterThan(0);
    expect(backend.stats.runs).toBe(runs);
    const got = Array.from(await e.read(y));
    expect(backend.stats.runs).toBe(runs + 1);
    expect(backend.stats.pendingOps).toBe(0);
    got.forEach((v, i) => expect(v).toBeCloseTo(Math.exp(2 * (i + 1)), 2));
    e.dispose([x, y]);
  });

  it('gives the same results with the ORT memory arena and memory patterns off', async () => {
    const plain = await onnxBackendProvider.createOnnx('cpu', { memory: { arena: false, pattern: false } });
    try {
      const p = new Engine(plain);
      const data = Array.from({ length: 24 }, (_, i) => Math.sin(i));
      const f = (eng: Engine) => eng.tidy(() => eng.softmax(eng.matmul(eng.tensor(data, [4, 6]), eng.tensor(data, [6, 4]))));
      const [a, b] = [f(e), f(p)];
      expect(Array.from(await p.read(b))).toEqual(Array.from(await e.read(a)));
      e.dispose(a);
      p.dispose(b);
    } finally {
      await plain.close();
    }
  });

  it('drops disposed intermediates nothing needs before compiling', () => {
    const x = e.tensor([1, 2], [2]);
    e.tidy(() => {
      e.tanh(e.add(x, 1)); // freed by tidy, never read
    });
    expect(backend.stats.pendingOps).toBe(0);
    e.dispose(x);
  });

  it('keeps values core still holds as tensors for later graphs', async () => {
    const held = backend.memory().tensors;
    const x = e.tensor([1, 2, 3], [3]);
    const three = e.scalar(3);
    const one = e.scalar(1);
    const y = e.mul(x, three); // held across the next read
    const z = e.add(y, one);
    expect(Array.from(await e.read(z))).toEqual([4, 7, 10]);
    const w = e.sub(y, one); // y is an input of the next graph now
    expect(Array.from(await e.read(w))).toEqual([2, 5, 8]);
    expect(backend.stats.lastRecords).toBe(1); // y was not recomputed
    e.dispose([x, three, one, y, z, w]);
    expect(backend.memory().tensors).toBe(held);
  });

  it('reuses one session for the same graph on inputs of other shapes', async () => {
    const run = async (rows: number) => {
      const x = e.tensor(Float32Array.from({ length: rows * 3 }, (_, i) => i), [rows, 3]);
      const y = e.tidy(() => e.softmax(e.mul(x, 0.5)));
      const data = await e.read(y);
      e.dispose([x, y]);
      return data;
    };
    await run(2);
    const compiles = backend.stats.compiles;
    const data = await run(5);
    expect(backend.stats.compiles).toBe(compiles);
    expect(data.length).toBe(15);
    const last = Array.from(data.subarray(12));
    const ex = [12, 13, 14].map((v) => Math.exp(v * 0.5));
    last.forEach((v, i) => expect(v).toBeCloseTo(ex[i]! / (ex[0]! + ex[1]! + ex[2]!), 6));
  });

  it('makes large fills in the graph and small ones on the host', async () => {
    const big = e.fill([300, 300], 2.5); // above the eager limit: a scalar expanded in the graph
    expect(backend.stats.pendingOps).toBe(1);
    const s = e.sum(big);
    expect(await e.readScalar(s)).toBe(2.5 * 90000);
    e.dispose([big, s]);
  });

  it('runs the fused kernels (attention, matmul + bias + gelu) like their plain compositions', async () => {
    const [q, k, v] = [1, 2, 3].map((seed) => e.tensor(Float32Array.from({ length: 2 * 3 * 4 }, (_, i) => Math.sin(seed * 7 + i)), [1, 2, 3, 4]));
    const mask = e.tensor([0, -1e9, -1e9, 0, 0, -1e9, 0, 0, 0], [1, 1, 3, 3]);
    const fused = e.attention(q!, k!, v!, mask, 0.5);
    const plain = e.tidy(() => e.matmul(e.softmax(e.add(e.mul(e.matmul(q!, k!, { transposeB: true }), 0.5), mask)), v!));
    const a = await e.read(fused);
    const b = await e.read(plain);
    a.forEach((x, i) => expect(x).toBeCloseTo(b[i]!, 5));
    const x = e.tensor([0.5, -1, 2, 0.25], [2, 2]);
    const w = e.tensor([1, 2, 3, 4], [2, 2]);
    const bias = e.tensor([0.1, -0.2], [2]);
    const out = { shape: [2, 2], dtype: 'float32' as const };
    const h = backend.fused.matmulBiasGelu!(x, w, bias, out);
    const got = await backend.read({ handle: h, ...out });
    backend.dispose(h);
    const want = await e.read(e.tidy(() => e.gelu(e.add(e.matmul(x, w), bias))));
    got.forEach((g, i) => expect(g).toBeCloseTo(want[i]!, 5));
    e.dispose([q!, k!, v!, mask, fused, plain, x, w, bias]);
  });

  it('throws on a second dispose and on use after dispose', () => {
    const x = e.tensor([1], [1]);
    const h = x.handle;
    e.dispose(x);
    expect(() => backend.dispose(h)).toThrow(/disposed twice/);
    expect(() => backend.unary('exp', { handle: h, shape: [1], dtype: 'float32' }, { shape: [1], dtype: 'float32' })).toThrow(/after dispose/);
  });
});

describe('onnx backend limits', () => {
  it('refuses to grow a graph past maxPendingOps with a clear error', async () => {
    const backend = await onnxBackendProvider.createOnnx('cpu', { maxPendingOps: 10 });
    const e = new Engine(backend);
    let x = e.tensor([1], [1]);
    const add = () => (x = e.add(x, 1));
    for (let i = 0; i < 10; i++) add();
    expect(add).toThrow(CaptuneError);
    expect(add).toThrow(/10 ops recorded since the last run/);
    await backend.flush();
    expect(await e.readScalar(x)).toBe(11);
    await backend.close();
  });
});

describe('onnx backend provider', () => {
  it('runs on the cpu EP and reports GPU devices truthfully', async () => {
    const cpu = await onnxBackendProvider.probe('cpu');
    expect(cpu).toMatchObject({ available: true });
    for (const device of ['cuda', 'webgpu'] as const) {
      const a = await onnxBackendProvider.probe(device);
      if (a.available) {
        const b = await onnxBackendProvider.create(device);
        const e = new Engine(b);
        expect(Array.from(await e.read(e.add(e.tensor([1, 2], [2]), 1)))).toEqual([2, 3]);
        await b.close();
      } else {
        expect(a.reason.length).toBeGreaterThan(10);
        expect(a.remedy.length).toBeGreaterThan(10);
        await expect(onnxBackendProvider.create(device)).rejects.toThrow(a.reason);
      }
    }
    expect(await onnxBackendProvider.probe('wasm')).toMatchObject({ available: false });
  });
});

describe('onnx backend thread spinning', () => {
  it('computes the same numbers with worker threads spinning during runs', async () => {
    const results: number[][] = [];
    for (const threadSpinning of [false, true]) {
      const b = await onnxBackendProvider.createOnnx('cpu', { threadSpinning });
      const f = new Engine(b);
      const x = f.tensor(Float32Array.from({ length: 64 * 64 }, (_, i) => Math.sin(i)), [64, 64]);
      const y = f.tidy(() => f.softmax(f.matmul(x, x, { transposeB: true }))); // parallel kernels
      results.push(Array.from(await f.read(y)));
      f.dispose([x, y]);
      await b.close();
    }
    expect(results[1]).toEqual(results[0]);
  });
});

describe('onnx backend session options', () => {
  it("keeps add + layer norm as two kernels: ORT's SkipLayerNormalization fusion is off", async () => {
    // ORT writes each session's optimised graph where it is told: the kernels it will run.
    const dir = mkdtempSync(join(tmpdir(), 'captune-ort-optimised-'));
    const loaded = await loadOrt();
    if (!loaded.ok) throw new Error(loaded.reason);
    const ort = loaded.ort;
    let n = 0;
    const create = ((model: Uint8Array, options: Record<string, unknown>) =>
      ort.InferenceSession.create(model, { ...options, optimizedModelFilePath: join(dir, `s${n++}.onnx`) })) as unknown as Ort['InferenceSession']['create'];
    const b = new OnnxBackend({ ort: { ...ort, InferenceSession: { ...ort.InferenceSession, create } } as unknown as Ort, device: 'cpu' });
    try {
      const f = new Engine(b);
      const x = f.tensor(Float32Array.from({ length: 24 }, (_, i) => Math.sin(i)), [2, 3, 4]);
      const [g, beta] = [f.tensor([1, 2, 3, 4], [4]), f.tensor([0, 1, 0, 1], [4])];
      const y = f.tidy(() => f.layerNorm(f.add(f.exp(x), f.neg(x)), g, beta, 1e-5)); // the sum read once
      expect((await f.read(y)).length).toBe(24);
      const graph = readFileSync(join(dir, 's0.onnx')).toString('latin1');
      expect(graph).toContain('LayerNormalization');
      expect(graph).not.toContain('SkipLayerNormalization');
      f.dispose([x, g, beta, y]);
    } finally {
      await b.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
