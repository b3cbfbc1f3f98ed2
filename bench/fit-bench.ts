/**
 * Closed-form alignment and retrieval benchmarks (issue 7): fit time (accumulation + solve) of
 * OLS, ridge and Procrustes on n × d random pairs (100,000 × 512; quick: 20,000 × 256),
 * agreement with the naive float64 reference (whole X in memory, Gaussian elimination), the
 * same agreement when XᵀX and XᵀY are float32 matmuls on the backend (what the float64 host
 * kernel buys), and exact datastore search throughput (10⁵ × 512 captions, k = 10).
 */
import { createBackendRegistry, Engine, Rng } from '@captune/core';
import {
  choleskySolveInPlace,
  choleskyWithJitter,
  chunksOf,
  fitLinearMap,
  gaussianSolve,
  naiveNormalEquations,
  randomOrthogonal,
  relativeError,
  type Pairs,
} from '../packages/core/src/alignment/index.js';
import { CaptionDatastore, ExactSearch } from '../packages/core/src/retrieval/index.js';
import { tfjsBackendModule } from '@captune/backend-tfjs';
import type { BenchResult } from './bench-result.js';

const now = () => performance.now() / 1000;

/** x ~ N(0, 1), y = x·Q + 0.1·noise with Q orthogonal; the product on the backend. */
async function makePairs(e: Engine, n: number, d: number): Promise<Pairs> {
  const rng = new Rng(7);
  const x = rng.normalArray(n * d);
  const q = Float32Array.from(randomOrthogonal(8, d));
  const y = new Float32Array(n * d);
  const qt = e.keep(e.tensor(q, [d, d]));
  const rows = 8192;
  for (let s = 0; s < n; s += rows) {
    const r = Math.min(rows, n - s);
    const t = e.tidy(() => e.add(e.matmul(e.tensor(x.subarray(s * d, (s + r) * d), [r, d]), qt), e.tensor(rng.normalArray(r * d, 0.1), [r, d])));
    y.set(await e.read(t), s * d);
    e.dispose(t);
  }
  e.dispose(qt);
  return { x, y, n, dIn: d, dOut: d };
}

/** OLS with XᵀX and XᵀY as float32 matmuls on the backend per chunk, summed in float64 on the host. */
async function float32BackendOls(e: Engine, p: Pairs, chunk: number): Promise<Float64Array> {
  const d = p.dIn;
  const xx = new Float64Array(d * d);
  const xy = new Float64Array(d * p.dOut);
  for (let s = 0; s < p.n; s += chunk) {
    const r = Math.min(chunk, p.n - s);
    const [a, b] = e.tidy(() => {
      const xt = e.tensor(p.x.subarray(s * d, (s + r) * d), [r, d]);
      const yt = e.tensor(p.y.subarray(s * p.dOut, (s + r) * p.dOut), [r, p.dOut]);
      return [e.matmul(xt, xt, { transposeA: true }), e.matmul(xt, yt, { transposeA: true })];
    });
    const [av, bv] = [await e.read(a!), await e.read(b!)];
    e.dispose([a!, b!]);
    for (let i = 0; i < xx.length; i++) xx[i]! += av[i]!;
    for (let i = 0; i < xy.length; i++) xy[i]! += bv[i]!;
  }
  const { factor } = choleskyWithJitter(xx, d);
  choleskySolveInPlace(factor, d, xy, p.dOut);
  return xy;
}

export async function runFitBench(quick: boolean): Promise<BenchResult[]> {
  const [n, d] = quick ? [20000, 256] : [100000, 512];
  const registry = createBackendRegistry([tfjsBackendModule]);
  const backend = await registry.create({ backend: 'tfjs', device: 'wasm' });
  const e = new Engine(backend);
  const out: BenchResult[] = [];
  const size = `${n}x${d}`;
  try {
    const p = await makePairs(e, n, d);
    const source = chunksOf(p, 8192);
    let t0 = now();
    const naive = naiveNormalEquations(p.x, p.y, n, d, d);
    const ridgeA = naive.a.slice();
    for (let i = 0; i < d; i++) ridgeA[i * d + i]! += 1;
    const refRidge = gaussianSolve(ridgeA, naive.b.slice(), d, d);
    const reference = gaussianSolve(naive.a, naive.b, d, d);
    out.push({ name: `naive float64 reference OLS ${size}`, target: 'host', value: now() - t0, unit: 's' });
    for (const [method, ref] of [['ols', reference], ['ridge', refRidge], ['procrustes', null]] as const) {
      t0 = now();
      const { map, report } = await fitLinearMap(source, p, { method, alpha: 1 });
      const total = now() - t0;
      const extra = { accumulateSeconds: report.accumulateSeconds, solveSeconds: report.solveSeconds, wasmKernel: report.usesWasm, jitter: report.jitter };
      out.push({ name: `fit ${method} ${size}`, target: 'host-f64', value: total, unit: 's', extra });
      const flops = method === 'procrustes' ? 2 * n * d * d : 2 * n * d * d * 1.5;
      out.push({ name: `fit ${method} ${size} accumulation`, target: 'host-f64', value: flops / report.accumulateSeconds / 1e9, unit: 'GFLOP/s', extra });
      if (ref) out.push({ name: `fit ${method} ${size} vs naive f64`, target: 'host-f64', value: relativeError(map.weight, ref), unit: 'rel. err' });
    }
    t0 = now();
    const f32 = await float32BackendOls(e, p, 8192);
    out.push({ name: `OLS ${size}, XᵀX as f32 backend matmuls`, target: `${backend.name}/${backend.device}`, value: now() - t0, unit: 's' });
    out.push({ name: `OLS ${size}, XᵀX as f32 backend matmuls vs naive f64`, target: `${backend.name}/${backend.device}`, value: relativeError(f32, reference), unit: 'rel. err' });

    const m = quick ? 20000 : 100000;
    const store = new CaptionDatastore(512, { clipModel: 'bench/random' });
    store.add(new Rng(9).normalArray(m * 512), Array.from({ length: m }, (_, i) => `caption ${i}`));
    const search = new ExactSearch(e, store, { chunkRows: 32768, queryBatch: 256 });
    const queries = new Rng(10).normalArray(1024 * 512);
    await search.search(queries.subarray(0, 512 * 16), 10); // upload + warm up
    t0 = now();
    await search.search(queries, 10);
    const secs = now() - t0;
    out.push({ name: `datastore search ${m}x512, k=10`, target: `${backend.name}/${backend.device}`, value: 1024 / secs, unit: 'queries/s' });
    search.dispose();
  } finally {
    await backend.close();
  }
  return out;
}
