import { describe, expect, it } from 'vitest';
import { ReferenceBackend } from '../reference/index.js';
import { ShapeError } from '../tensor/shape.js';
import { Engine } from './engine.js';

const engine = () => new Engine(new ReferenceBackend());

describe('Engine', () => {
  it('checks shapes at call time and names the op and the shapes', () => {
    const e = engine();
    const a = e.zeros([2, 3]);
    const b = e.zeros([4, 5]);
    expect(() => e.matmul(a, b)).toThrow(ShapeError);
    expect(() => e.matmul(a, b)).toThrow('matmul: inner dimensions differ (3 vs 4) in [2, 3] × [4, 5]');
    expect(() => e.add(a, e.zeros([3, 2]))).toThrow('add: shapes [2, 3] and [3, 2] cannot be broadcast together');
    expect(() => e.reshape(a, [4, 2])).toThrow('reshape: cannot reshape [2, 3] (6 elements) to [4, 2]');
    expect(() => e.tensor([1, 2, 3], [2, 2])).toThrow('tensor: 3 values do not fill shape [2, 2] (4 elements)');
  });

  it('joins the gradients of slices that tile a value with one concat, and pads them otherwise', async () => {
    const backend = new ReferenceBackend();
    const calls = { pad: 0, concat: 0 };
    const { pad, concat } = backend;
    Object.assign(backend, {
      pad: (...a: Parameters<typeof pad>) => (calls.pad++, pad.apply(backend, a)),
      concat: (...a: Parameters<typeof concat>) => (calls.concat++, concat.apply(backend, a)),
    });
    const e = new Engine(backend);
    const x = e.variable(e.tensor([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], [2, 6]));
    const weights = e.tensor([1, -2, 3, -4, 5, -6, 7, -8, 9, -10, 11, -12], [2, 6]);
    // q, k, v = three column slices [2, 2]; loss = Σ slice · its weights, so dL/dx = weights.
    const loss = (parts: [number, number][]) => () =>
      parts.reduce((acc: ReturnType<typeof e.sum> | null, [b, n]) => {
        const term = e.sum(e.mul(e.slice(x, [0, b], [-1, n]), e.slice(weights, [0, b], [-1, n])));
        return acc ? e.add(acc, term) : term;
      }, null)!;
    const tiled = e.valueAndGrads(loss([[2, 2], [0, 2], [4, 2]]), [x]);
    expect(Array.from(await e.read(tiled.grads[0]!))).toEqual(Array.from(await e.read(weights)));
    expect(calls).toEqual({ pad: 0, concat: 1 });
    // A gap (columns 2–3 unused) and an overlap: padded and summed, as before.
    calls.pad = calls.concat = 0;
    const gap = e.valueAndGrads(loss([[0, 2], [4, 2]]), [x]);
    expect(Array.from(await e.read(gap.grads[0]!))).toEqual([1, -2, 0, 0, 5, -6, 7, -8, 0, 0, 11, -12]);
    const overlap = e.valueAndGrads(loss([[0, 4], [2, 4]]), [x]);
    expect(Array.from(await e.read(overlap.grads[0]!))).toEqual([1, -2, 6, -8, 5, -6, 7, -8, 18, -20, 11, -12]);
    expect(calls.concat).toBe(0);
    expect(calls.pad).toBe(4);
    e.dispose([tiled.value, ...tiled.grads, gap.value, ...gap.grads, overlap.value, ...overlap.grads, weights, x]);
    expect(e.liveTensors).toBe(0);
  });

  it('stackedLinears gives what separate linears give, for weights [K, M] and transposed [M, K]', async () => {
    const e = new Engine(new ReferenceBackend());
    const x = e.tensor(Array.from({ length: 2 * 3 * 4 }, (_, i) => Math.sin(i)), [2, 3, 4]);
    const w = [e.tensor(Array.from({ length: 8 }, (_, i) => Math.cos(i)), [4, 2]), e.tensor(Array.from({ length: 12 }, (_, i) => i / 7), [4, 3])];
    const b = [e.tensor([1, -1], [2]), e.tensor([0.5, 0, -0.5], [3])];
    const wt = w.map((t) => e.transpose(t, [1, 0]));
    for (const [ws, transposed] of [[w, false], [wt, true]] as const) {
      const got = e.stackedLinears(x, ws, b, { transposed });
      expect(got.map((t) => t.shape)).toEqual([[2, 3, 2], [2, 3, 3]]);
      for (const [i, t] of got.entries()) expect(Array.from(await e.read(t))).toEqual(Array.from(await e.read(e.linear(x, ws[i]!, b[i]!, { transposed }))));
    }
  });

  it('tells the backend which variables hold frozen weights (markFrozen)', () => {
    const backend = new ReferenceBackend();
    const frozen: unknown[] = [];
    Object.assign(backend, { markFrozen: (h: unknown) => frozen.push(h) });
    const e = new Engine(backend);
    const w = e.variable(e.zeros([2, 2]), { trainable: false });
    const p = e.variable(e.zeros([2, 2]));
    expect(frozen).toEqual([w.handle]);
    expect(frozen).not.toContain(p.handle);
    const plain = engine(); // a backend without the optional hint
    expect(plain.variable(plain.zeros([1]), { trainable: false }).trainable).toBe(false);
  });

  it('tidy frees intermediates and keeps what is returned', async () => {
    const e = engine();
    const x = e.tensor([1, 2, 3, 4], [2, 2]);
    const before = e.liveTensors;
    const y = e.tidy(() => e.add(e.mul(x, 2), e.exp(x)));
    expect(e.liveTensors).toBe(before + 1);
    const v = await e.read(y);
    expect(Array.from(v)).toEqual([2 + Math.exp(1), 4 + Math.exp(2), 6 + Math.exp(3), 8 + Math.exp(4)].map(Math.fround));
    expect(() => e.tidy(() => Promise.resolve(x) as never)).toThrow(/synchronous/);
  });

  it('gradients reach trainable variables only, and match a hand derivation', async () => {
    const e = engine();
    const w = e.variable(e.tensor([1, 2, 3, 4, 5, 6], [3, 2]), { name: 'w' }); // trainable
    const frozen = e.variable(e.tensor([0.5, -1], [2]), { trainable: false, name: 'b' });
    const x = e.tensor([1, 0, -1, 2, 1, 0], [2, 3]);
    const { value, grads } = e.valueAndGrads(() => e.sum(e.mul(e.add(e.matmul(x, w), frozen), e.add(e.matmul(x, w), frozen))), [w]);
    // loss = Σ (xW + b)²; dW = xᵀ · 2(xW + b)
    const xw = [
      [1 * 1 + 0 * 3 + -1 * 5 + 0.5, 1 * 2 + 0 * 4 + -1 * 6 - 1],
      [2 * 1 + 1 * 3 + 0 * 5 + 0.5, 2 * 2 + 1 * 4 + 0 * 6 - 1],
    ];
    const xs = [[1, 0, -1], [2, 1, 0]];
    const expected: number[] = [];
    for (let i = 0; i < 3; i++) for (let j = 0; j < 2; j++) expected.push(2 * (xs[0]![i]! * xw[0]![j]! + xs[1]![i]! * xw[1]![j]!));
    expect(await e.readScalar(value)).toBeCloseTo(xw.flat().reduce((s, v) => s + v * v, 0), 5);
    expect(Array.from(await e.read(grads[0]!))).toEqual(expected.map(Math.fround));
  });

  it('frees everything but the loss and the gradients after valueAndGrads', () => {
    const e = engine();
    const w = e.variable(e.tensor([1, 2, 3, 4], [2, 2]));
    const x = e.tensor([1, 1, 1, 1], [2, 2]);
    const before = e.liveTensors;
    const { value, grads } = e.valueAndGrads(() => e.tidy(() => e.sum(e.tanh(e.matmul(x, e.tidy(() => e.exp(w)))))), [w]);
    expect(e.liveTensors).toBe(before + 2);
    e.dispose([value, ...grads]);
    expect(e.liveTensors).toBe(before);
  });

  it("cross-entropy's gradient reuses the forward's softmax, which is freed with the tape or at once without one", async () => {
    const backend = new ReferenceBackend();
    const calls = { softmax: 0 };
    const { softmax } = backend;
    Object.assign(backend, { softmax: (...a: Parameters<typeof softmax>) => (calls.softmax++, softmax.apply(backend, a)) });
    const e = new Engine(backend);
    const logits = e.variable(e.tensor([0.5, -1, 2, 0, 1, 1, -2, 3], [2, 4]));
    const labels = e.tensor([2, 0], [2], 'int32');
    const before = e.liveTensors;
    const { value, grads } = e.valueAndGrads(() => e.sum(e.softmaxCrossEntropy(logits, labels)), [logits]);
    expect(calls.softmax).toBe(1);
    expect(e.liveTensors).toBe(before + 2); // the loss and its gradient
    // d/dlogits = softmax(logits) − onehot(labels), row by row.
    const rows = [[0.5, -1, 2, 0], [1, 1, -2, 3]];
    const want = rows.flatMap((r, i) => {
      const z = r.reduce((t, x) => t + Math.exp(x), 0);
      return r.map((x, j) => Math.exp(x) / z - (j === [2, 0][i] ? 1 : 0));
    });
    Array.from(await e.read(grads[0]!)).forEach((g, i) => expect(g).toBeCloseTo(want[i]!, 6));
    e.dispose([value, ...grads]);
    const plain = e.softmaxCrossEntropy(logits, labels); // not recording: nothing saved
    expect(e.liveTensors).toBe(before + 1);
    e.dispose([plain, logits, labels]);
  });

  it('records no tape without trainable inputs, and gives zeros for unused parameters', async () => {
    const e = engine();
    const used = e.variable(e.tensor([2], [1]));
    const unused = e.variable(e.tensor([5, 5], [2]));
    const { grads } = e.valueAndGrads(() => e.sum(e.mul(used, used)), [used, unused]);
    expect(Array.from(await e.read(grads[0]!))).toEqual([4]);
    expect(Array.from(await e.read(grads[1]!))).toEqual([0, 0]);
    expect(() => e.valueAndGrads(() => e.zeros([2]), [used])).toThrow('valueAndGrads: the loss must be a float32 scalar, got float32 [2]');
  });

  it('a gradient passed through to two inputs is not freed twice (x + x)', async () => {
    const e = engine();
    const x = e.variable(e.tensor([1, 2], [2]));
    const { grads } = e.valueAndGrads(() => e.sum(e.mul(e.add(x, x), 3)), [x]);
    expect(Array.from(await e.read(grads[0]!))).toEqual([6, 6]);
  });
});
