/**
 * The three checks of a case, independent of the test runner:
 *  - forward: the backend under test's outputs match the reference's;
 *  - gradients: core's autodiff on the backend under test matches it on the reference
 *    (loss = sum(op(inputs) ⊙ R)) — this proves the backend;
 *  - finite differences: on the reference in float64, core's autodiff matches central
 *    differences of the same loss at a few probed coordinates — this proves core's gradients.
 */
import type { Engine } from '../engine/engine.js';
import type { Tensor, Variable } from '../engine/tensor.js';
import { ReferenceBackend } from '../reference/reference-backend.js';
import { fmt, type Shape } from '../tensor/shape.js';
import { caseInputs, lossWeights, type CaseInput } from './case-inputs.js';
import { assertClose, ConformanceMismatch } from './compare.js';
import type { ConformanceCase, Tolerances } from './conformance-case.js';
import { F64Engine } from './f64-engine.js';
import { Prng, seedOf } from './prng.js';

interface HostTensor {
  readonly shape: Shape;
  readonly dtype: string;
  readonly data: ArrayLike<number>;
}

function outputsOf(result: Tensor | readonly Tensor[]): Tensor[] {
  return Array.isArray(result) ? [...(result as readonly Tensor[])] : [result as Tensor];
}

/** Runs a case's forward pass on `e` and reads every output back. */
async function forward(
  e: Engine,
  c: ConformanceCase,
  inputs: readonly CaseInput[],
): Promise<HostTensor[]> {
  const outs = e.tidy(() => {
    const xs = inputs.map((x) => e.tensor(x.data, x.shape, x.dtype));
    return outputsOf(c.run(e, xs));
  });
  try {
    const host: HostTensor[] = [];
    for (const t of outs) host.push({ shape: t.shape, dtype: t.dtype, data: await e.read(t) });
    return host;
  } finally {
    e.dispose(outs);
  }
}

export async function checkForward(
  c: ConformanceCase,
  ut: Engine,
  ref: Engine,
  tol: Tolerances,
): Promise<void> {
  const inputs = caseInputs(c);
  const got = await forward(ut, c, inputs);
  const want = await forward(ref, c, inputs);
  if (got.length !== want.length)
    throw new ConformanceMismatch(
      `${c.id}: ${got.length} outputs, the reference has ${want.length}`,
    );
  const scale = c.tolScale ?? 1;
  got.forEach((g, i) => {
    const w = want[i]!;
    const what = `${c.id} output ${i}`;
    if (fmt(g.shape) !== fmt(w.shape) || g.dtype !== w.dtype) {
      throw new ConformanceMismatch(
        `${what}: got ${g.dtype} ${fmt(g.shape)}, the reference gives ${w.dtype} ${fmt(w.shape)}`,
      );
    }
    const exact = c.exact || g.dtype === 'int32';
    assertClose(
      what,
      g.data,
      w.data,
      g.shape,
      exact ? 'exact' : { rtol: tol.rtol * scale, atol: tol.atol * scale },
    );
  });
}

interface GradResult {
  readonly value: number;
  /** Gradients of the inputs with `grad` set, in input order. */
  readonly grads: {
    readonly input: number;
    readonly shape: Shape;
    readonly data: ArrayLike<number>;
  }[];
}

/**
 * loss = sum(op(inputs) ⊙ R) and its gradients through `valueAndGrads`, inputs with `grad`
 * as trainable variables. `read` turns a tensor into numbers (float64 on the reference).
 */
async function lossAndGrads(
  e: Engine,
  c: ConformanceCase,
  inputs: readonly CaseInput[],
  read: (t: Tensor) => Promise<ArrayLike<number>>,
): Promise<GradResult> {
  const xs: Tensor[] = inputs.map((x, j) => {
    const t = e.tensor(x.data, x.shape, x.dtype);
    return x.grad ? e.variable(t, { name: `${c.id}/input${j}` }) : t;
  });
  const params = xs.filter((_, j) => inputs[j]!.grad) as Variable[];
  try {
    const { value, grads } = e.valueAndGrads(() => {
      const out = outputsOf(c.run(e, xs))[0]!;
      if (out.dtype !== 'float32')
        throw new Error(
          `conformance case ${c.id}: the gradient check needs a float32 first output`,
        );
      const r = e.tensor(lossWeights(c, out.shape), out.shape);
      return e.sum(e.mul(out, r));
    }, params);
    try {
      const v = (await read(value))[0]!;
      const host = [];
      let k = 0;
      for (let j = 0; j < inputs.length; j++) {
        if (!inputs[j]!.grad) continue;
        const g = grads[k++]!;
        host.push({ input: j, shape: g.shape, data: await read(g) });
      }
      return { value: v, grads: host };
    } finally {
      e.dispose([value, ...grads]);
    }
  } finally {
    e.dispose(xs);
  }
}

export async function checkGradients(
  c: ConformanceCase,
  ut: Engine,
  ref: Engine,
  tol: Tolerances,
): Promise<void> {
  const inputs = caseInputs(c);
  const got = await lossAndGrads(ut, c, inputs, (t) => ut.read(t));
  const want = await lossAndGrads(ref, c, inputs, (t) => ref.read(t));
  const scale = c.tolScale ?? 1;
  const closeness = { rtol: tol.gradRtol * scale, atol: tol.gradAtol * scale };
  assertClose(`${c.id} loss`, [got.value], [want.value], [], {
    rtol: tol.rtol * scale,
    atol: tol.atol * scale,
  });
  got.grads.forEach((g, k) => {
    const w = want.grads[k]!;
    const what = `${c.id} gradient of input ${g.input}`;
    if (fmt(g.shape) !== fmt(w.shape))
      throw new ConformanceMismatch(
        `${what}: shape ${fmt(g.shape)}, the reference gives ${fmt(w.shape)}`,
      );
    assertClose(what, g.data, w.data, g.shape, closeness);
  });
}

export interface FiniteDifferenceOptions {
  /** Coordinates probed per input. @default 3 */
  readonly probes?: number;
  /** Step. @default 1e-6 */
  readonly step?: number;
  /** |fd − autodiff| ≤ atol + rtol·|fd|; observed agreement is ~1e-8. @default 1e-6 */
  readonly rtol?: number;
  /** @default 1e-7 */
  readonly atol?: number;
}

export async function checkFiniteDifferences(
  c: ConformanceCase,
  options: FiniteDifferenceOptions = {},
): Promise<void> {
  const { probes = 3, step = 1e-6, rtol = 1e-6, atol = 1e-7 } = options;
  const backend = new ReferenceBackend();
  const e = new F64Engine(backend);
  try {
    const inputs = caseInputs(c);
    const ad = await lossAndGrads(e, c, inputs, async (t) => e.readF64(t));
    const loss = (input: number, coord: number, delta: number): number =>
      e.tidy(() => {
        const xs = inputs.map((x, j) => {
          if (x.dtype !== 'float32') return e.tensor(x.data, x.shape, x.dtype);
          const data = Float64Array.from(x.data);
          if (j === input) data[coord]! += delta;
          return e.fromF64(data, x.shape);
        });
        const out = outputsOf(c.run(e, xs))[0]!;
        const r = e.fromF64(Float64Array.from(lossWeights(c, out.shape)), out.shape);
        return e.readF64(e.sum(e.mul(out, r)))[0]!;
      });
    const rng = new Prng(seedOf(`${c.id}#probes`));
    for (const g of ad.grads) {
      const size = g.data.length;
      const coords = new Set<number>();
      while (coords.size < Math.min(probes, size)) coords.add(rng.int(0, size));
      for (const k of coords) {
        const fd = (loss(g.input, k, step) - loss(g.input, k, -step)) / (2 * step);
        const a = g.data[k]!;
        if (!(Math.abs(fd - a) <= atol + rtol * Math.abs(fd))) {
          throw new ConformanceMismatch(
            `${c.id}: core's gradient of input ${g.input} at flat index ${k} is ${a}, central finite differences give ${fd} (float64, step ${step})`,
          );
        }
      }
    }
  } finally {
    await backend.close();
  }
}
