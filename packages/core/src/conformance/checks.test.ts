/** The conformance checks must catch broken backends and broken gradients, and pass float32-accurate ones. */
import { describe, expect, it } from 'vitest';
import type { Handle } from '../backend/backend.js';
import { Engine } from '../engine/engine.js';
import { ReferenceBackend, ReferenceHandle } from '../reference/reference-backend.js';
import { CONFORMANCE_CASES } from './cases/index.js';
import { checkFiniteDifferences, checkForward, checkGradients } from './checks.js';
import { ConformanceMismatch } from './compare.js';
import { DEFAULT_TOLERANCES, type ConformanceCase } from './conformance-case.js';
import { validateSkips } from './run-conformance-suite.js';

const byId = (id: string): ConformanceCase => CONFORMANCE_CASES.find((c) => c.id === id)!;

/** A float32 backend in disguise: every kernel output is rounded to float32. */
class Float32RoundingBackend extends ReferenceBackend {
  constructor() {
    super();
    for (const k of [
      'fill',
      'unary',
      'binary',
      'where',
      'matmul',
      'sum',
      'max',
      'softmax',
      'logSoftmax',
      'layerNorm',
      'scatterAdd',
    ] as const) {
      const kernel = (this[k] as (...args: unknown[]) => Handle).bind(this);
      (this as Record<string, unknown>)[k] = (...args: unknown[]) => round(kernel(...args));
    }
  }
}
function round(h: Handle): Handle {
  const r = h as unknown as ReferenceHandle;
  if (r.data instanceof Float64Array) r.data.set(Float32Array.from(r.data));
  return h;
}

/** gelu computed exactly (with erf) instead of GPT-2's tanh approximation. */
class ErfGeluBackend extends ReferenceBackend {
  override unary(...[op, x, out]: Parameters<ReferenceBackend['unary']>): Handle {
    if (op !== 'gelu') return super.unary(op, x, out);
    const data = Float32Array.from(
      this.readF64(x),
      (v) => 0.5 * v * (1 + erfApprox(v / Math.SQRT2)),
    );
    return this.upload(data, out);
  }
}
function erfApprox(x: number): number {
  // Abramowitz & Stegun 7.1.26 is enough to differ from the tanh approximation by > 1e-4.
  const t = 1 / (1 + 0.3275911 * Math.abs(x));
  const y =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) *
      t *
      Math.exp(-x * x);
  return Math.sign(x) * y;
}

/** scatterAdd that overwrites instead of adding: only gradients of gather can see it. */
class OverwritingScatterBackend extends ReferenceBackend {
  override scatterAdd(
    ...[updates, indices, out]: Parameters<ReferenceBackend['scatterAdd']>
  ): Handle {
    const u = this.readF64(updates);
    const idx = this.readF64(indices);
    const row = u.length / Math.max(1, idx.length);
    const data = new Float32Array(out.shape.reduce((a, b) => a * b, 1));
    idx.forEach((r, j) => data.set(u.subarray(j * row, (j + 1) * row), r * row));
    return this.upload(data, out);
  }
}

describe('conformance checks', () => {
  const ref = new Engine(new ReferenceBackend());

  it('pass a backend that is float32-accurate on every case, forward and gradient', async () => {
    const ut = new Engine(new Float32RoundingBackend());
    for (const c of CONFORMANCE_CASES) {
      await checkForward(c, ut, ref, DEFAULT_TOLERANCES);
      if (c.grad) await checkGradients(c, ut, ref, DEFAULT_TOLERANCES);
    }
  });

  it('catch a wrong forward kernel and name the case', async () => {
    const ut = new Engine(new ErfGeluBackend());
    await expect(
      checkForward(byId('elementwise/gelu'), ut, ref, DEFAULT_TOLERANCES),
    ).rejects.toThrow(
      /^elementwise\/gelu output 0: \d+ of 24 values of \[2, 3, 4\] differ; worst at \[/,
    );
    await checkForward(byId('elementwise/tanh'), ut, ref, DEFAULT_TOLERANCES); // other ops unaffected
  });

  it('catch a kernel that only gradients use', async () => {
    const ut = new Engine(new OverwritingScatterBackend());
    const c = byId('indexing/gather-2d-indices-repeated');
    await checkForward(c, ut, ref, DEFAULT_TOLERANCES);
    await expect(checkGradients(c, ut, ref, DEFAULT_TOLERANCES)).rejects.toThrow(
      ConformanceMismatch,
    );
    await expect(checkGradients(c, ut, ref, DEFAULT_TOLERANCES)).rejects.toThrow(
      /gradient of input 0/,
    );
  });

  it('catch a gradient that autodiff gets wrong', async () => {
    // cast records no gradient, so x · detach(x) (a copy through int32 at 1e-9 resolution)
    // has autodiff gradient detach(x) ≈ x, while finite differences see 2x.
    const c: ConformanceCase = {
      id: 'meta/detached-square',
      inputs: [{ shape: [3, 1] }],
      run: (e, [x]) => e.mul(x!, e.div(e.cast(e.cast(e.mul(x!, 1e9), 'int32'), 'float32'), 1e9)),
      grad: true,
    };
    await expect(checkFiniteDifferences(c)).rejects.toThrow(
      /meta\/detached-square: core's gradient of input 0 at flat index \d is/,
    );
  });

  it('reject skips of unknown cases or without a reason', () => {
    expect(() => validateSkips({ 'matmul/2d': 'not yet' })).not.toThrow();
    expect(() => validateSkips({ 'matmul/2D': 'typo' })).toThrow(
      'conformance: unknown case ids in skip: "matmul/2D"',
    );
    expect(() => validateSkips({ 'matmul/2d': ' ' })).toThrow(/need a reason: "matmul\/2d"/);
  });
});
