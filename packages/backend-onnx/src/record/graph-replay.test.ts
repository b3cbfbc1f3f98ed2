// Replay: a run that records the same graph as the run before reuses its session without
// building the session key; a replayed step computes what a freshly compiled one does, and a
// changed structure (another op, another output, another constant) is never replayed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine, Rng, type Tensor } from '@captune/core';
import type { OnnxBackend } from '../onnx-backend.js';
import { onnxBackendProvider } from '../onnx-backend-provider.js';
import { PendingGraph } from './pending-graph.js';
import { GraphValue } from './graph-value.js';
import { buildModel, planGraph, sameStructure, structureKey } from './graph-plan.js';
import { binaryEmitter, unaryEmitter } from './kernel-emitters.js';

describe('graph structures', () => {
  const materialised = (shape: number[]) => {
    const v = new GraphValue(shape, 'float32');
    v.tensor = {} as GraphValue['tensor']; // planning reads only that it exists
    return v;
  };
  const plan = (shape: number[], op: 'exp' | 'tanh', keepMid: boolean) => {
    const g = new PendingGraph(100);
    const x = materialised(shape);
    const spec = { shape, dtype: 'float32' as const };
    const [mid] = g.add(unaryEmitter(op, x), [x], [spec]);
    const [y] = g.add(binaryEmitter('add', mid!, x), [mid!, x], [spec]);
    if (!keepMid) mid!.disposed = true;
    void y;
    return planGraph(g.take(), () => false);
  };

  it('are equal for the same graph on other dimensions, and key alike', () => {
    const a = plan([1, 3], 'exp', false);
    const b = plan([1, 7], 'exp', false);
    expect(sameStructure(a.structure, b.structure)).toBe(true);
    expect(structureKey(a.structure)).toBe(structureKey(b.structure));
  });

  it('name graph outputs after the nodes that produce them, with no copying Identity', () => {
    const g = new PendingGraph(100);
    const x = materialised([2]);
    const spec = { shape: [2], dtype: 'float32' as const };
    const [mid] = g.add(unaryEmitter('exp', x), [x], [spec]);
    const [y] = g.add(binaryEmitter('add', mid!, x), [mid!, x], [spec]); // mid and y both kept
    const records = g.take();
    const { model, outputNames } = buildModel(records, planGraph(records, () => false));
    expect(model.graph.nodes.some((n) => n.opType === 'Identity')).toBe(false);
    const produced = new Set(model.graph.nodes.flatMap((n) => n.outputs));
    expect(outputNames).toHaveLength(2);
    for (const name of outputNames) expect(produced.has(name)).toBe(true);
    expect(model.graph.outputs.map((o) => o.name)).toEqual(outputNames);
    void y;
  });

  it('differ when an op or the set of outputs differs', () => {
    const a = plan([2], 'exp', false);
    for (const other of [plan([2], 'tanh', false), plan([2], 'exp', true)]) {
      expect(sameStructure(a.structure, other.structure)).toBe(false);
      expect(structureKey(a.structure)).not.toBe(structureKey(other.structure));
    }
  });
});

describe('onnx backend replay', () => {
  let backend: OnnxBackend;
  let e: Engine;
  beforeAll(async () => {
    backend = await onnxBackendProvider.createOnnx('cpu', { constants: { minElements: 4 } });
    e = new Engine(backend);
  });
  afterAll(async () => {
    await backend.close();
  });

  const rng = new Rng(3);
  const wData = rng.normalArray(12); // w [4, 3]
  const cache0 = rng.normalArray(8); // [2, 4]
  const xs = Array.from({ length: 6 }, () => rng.normalArray(4)); // [1, 4] each

  /** One "decoding step": the cache grows by a row; returns the new cache and a score. */
  const step = (f: Engine, cache: Tensor, x: Tensor, w: Tensor, extra: boolean) =>
    f.tidy(() => {
      const next = f.concat([cache, x], 0); // [T + 1, 4]
      let s = f.softmax(f.matmul(next, w)); // [T + 1, 3]
      if (extra) s = f.exp(s);
      return { next, score: f.sum(s, 0) }; // [3]
    });

  /** Scores of the steps on `f`, the cache kept on the backend between steps. */
  async function run(f: Engine, steps: boolean[]): Promise<number[][]> {
    const w = f.variable(f.tensor(wData, [4, 3]), { trainable: false });
    let cache = f.tensor(cache0, [2, 4]);
    const out: number[][] = [];
    for (const [i, extra] of steps.entries()) {
      const x = f.tensor(xs[i]!, [1, 4]);
      const r = step(f, cache, x, w, extra);
      out.push(Array.from(await f.read(r.score)));
      f.dispose([cache, x, r.score]);
      cache = r.next;
    }
    f.dispose([cache, w]);
    return out;
  }

  /** The same scores, each step alone on a new backend (compiled, never replayed). */
  async function fresh(steps: boolean[]): Promise<number[][]> {
    const out: number[][] = [];
    for (const [i, extra] of steps.entries()) {
      const b = await onnxBackendProvider.createOnnx('cpu', { constants: { minElements: 4 } });
      const f = new Engine(b);
      const w = f.variable(f.tensor(wData, [4, 3]), { trainable: false });
      const cache = f.tensor(
        [...cache0, ...xs.slice(0, i).flatMap((x) => Array.from(x))],
        [2 + i, 4],
      );
      const r = step(f, cache, f.tensor(xs[i]!, [1, 4]), w, extra);
      out.push(Array.from(await f.read(r.score)));
      expect([b.stats.runs, b.stats.replays]).toEqual([1, 0]);
      await b.close();
    }
    return out;
  }

  it('replays a repeated step, with the numbers of freshly compiled steps', async () => {
    const steps = [false, false, false, false];
    const r0 = backend.stats.replays;
    const c0 = backend.stats.compiles;
    const got = await run(e, steps);
    expect(backend.stats.replays - r0).toBe(3);
    expect(backend.stats.compiles - c0).toBe(1);
    expect(got).toEqual(await fresh(steps));
  });

  it('does not replay when the structure changes, and resumes after', async () => {
    const steps = [false, true, false, false, true, true];
    const r0 = backend.stats.replays;
    const h0 = backend.stats.cacheHits;
    const c0 = backend.stats.compiles;
    const got = await run(e, steps);
    expect(backend.stats.replays - r0).toBe(2); // steps 4 and 6 repeat the step before
    expect(backend.stats.compiles - c0).toBe(2); // each structure once (with this run's w as a constant)
    expect(backend.stats.cacheHits - h0).toBe(4); // steps 3 and 5 found by key
    expect(got).toEqual(await fresh(steps));
  });

  it('does not replay a session dropped with its constant', async () => {
    const steps = [false, false];
    await run(e, steps); // the last session holds that run's w as a constant, disposed at its end
    const r0 = backend.stats.replays;
    const c0 = backend.stats.compiles;
    const got = await run(e, steps); // a new w: same ops, another constant
    expect(backend.stats.compiles - c0).toBe(1);
    expect(backend.stats.replays - r0).toBe(1);
    expect(got).toEqual(await fresh(steps));
  });
});
