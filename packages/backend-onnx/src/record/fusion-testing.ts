/**
 * Test harness for the record fusions (fuse-*.test.ts): runs the same engine code on a fusing
 * and a non-fusing onnx backend with the same random inputs, and returns both results, how many
 * records were fused away and how many ONNX nodes each last graph had.
 */
import { afterAll, beforeAll, expect } from 'vitest';
import { Engine, Rng, type Tensor } from '@captune/core';
import type { OnnxBackend } from '../onnx-backend.js';
import { onnxBackendProvider } from '../onnx-backend-provider.js';

export interface FusionRun {
  /** Each returned tensor's values, fused graph. */
  readonly fused: Float32Array[];
  /** The same, unfused graph. */
  readonly plain: Float32Array[];
  /** Records fused away in the fused run. */
  readonly fusedAway: number;
  /** ONNX nodes of the graph each backend ran last. */
  readonly fusedNodes: number;
  readonly plainNodes: number;
}

export class FusionHarness {
  private constructor(
    readonly fusing: OnnxBackend,
    readonly plain: OnnxBackend,
  ) {}

  static async create(): Promise<FusionHarness> {
    return new FusionHarness(await onnxBackendProvider.createOnnx('cpu', { fuse: true }), await onnxBackendProvider.createOnnx('cpu', { fuse: false }));
  }

  /**
   * Runs `f` inside a tidy on both backends, inputs drawn from a seeded normal distribution
   * with `shapes`; every tensor `f` returns is read (one graph run).
   */
  async run(shapes: readonly (readonly number[])[], f: (e: Engine, xs: Tensor[]) => Tensor[]): Promise<FusionRun> {
    const results: Float32Array[][] = [];
    let fusedAway = 0;
    const nodes: number[] = [];
    for (const b of [this.fusing, this.plain]) {
      const e = new Engine(b);
      const rng = new Rng(7);
      const xs = shapes.map((s) => e.tensor(rng.normalArray(s.reduce((p, d) => p * d, 1)), [...s]));
      const before = b.stats.fusedAway;
      const ys = e.tidy(() => f(e, xs));
      await b.flush();
      results.push(await Promise.all(ys.map(async (y) => (await e.read(y)) as Float32Array)));
      if (b === this.fusing) fusedAway = b.stats.fusedAway - before;
      nodes.push(b.stats.lastNodes);
      e.dispose([...xs, ...ys]);
    }
    return { fused: results[0]!, plain: results[1]!, fusedAway, fusedNodes: nodes[0]!, plainNodes: nodes[1]! };
  }

  async close(): Promise<void> {
    await this.fusing.close();
    await this.plain.close();
  }
}

/**
 * A harness for the enclosing `describe`: created before its tests, closed after them. The
 * returned `run` forwards to it.
 */
export function useFusionHarness(): Pick<FusionHarness, 'run'> {
  let h: FusionHarness | null = null;
  beforeAll(async () => {
    h = await FusionHarness.create();
  });
  afterAll(async () => {
    await h?.close();
  });
  return { run: (shapes, f) => h!.run(shapes, f) };
}

/** Elementwise |a − b| ≤ tol · max(1, |b|). */
export function expectClose(a: Float32Array, b: Float32Array, tol = 1e-5): void {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!) / Math.max(1, Math.abs(b[i]!)));
  expect(worst).toBeLessThanOrEqual(tol);
}

/** Every result of a run agrees between the fused and the unfused graph. */
export function expectSameResults(r: FusionRun, tol = 1e-5): void {
  expect(r.fused.length).toBe(r.plain.length);
  r.fused.forEach((a, i) => expectClose(a, r.plain[i]!, tol));
}
