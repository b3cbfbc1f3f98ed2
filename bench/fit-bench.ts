/**
 * Closed-form alignment benchmarks (issue 7): for a data size N, the fit time (accumulation +
 * solve) of OLS, ridge and Procrustes next to the time of ONE EPOCH of I-Tuning training over
 * N examples, and the fit's agreement with naive float64 references (whole X in memory:
 * Gaussian elimination for least squares, the Newton polar iteration for Procrustes). Sizes:
 * - "shapes demo": N = 10,000 pairs × 64 (2,000 training images × 5 captions of the shapes
 *   world, CLIP projection 64), I-Tuning as `captune demo` trains it (tiny GPT-2 n_embd 48,
 *   3 layers, 17 vision tokens of width 64, bottleneck 64, batch 16);
 * - "real": N = 100,000 pairs × 512 (quick: 20,000 × 256), I-Tuning on GPT-2 124M with
 *   197 ViT-B/16 tokens of width 768, bottleneck 48 in 12 layers, batch 32.
 * The epoch time is measured on a few steps and extrapolated to ⌈N / batch⌉ steps (labelled
 * "extrapolated" in the table and the JSON). Also: XᵀX as float32 backend matmuls (what the
 * float64 host kernel buys) and exact datastore search throughput (10⁵ × 512, k = 10).
 */
import { AdamW, captionLoss, createBackendRegistry, Engine, ITuningAdapter, loadLanguageDecoder, Rng, type Backend } from '@captune/core';
import {
  choleskySolveInPlace,
  choleskyWithJitter,
  chunksOf,
  fitLinearMap,
  gaussianSolve,
  naiveNormalEquations,
  polarFactor,
  randomOrthogonal,
  relativeError,
  type Pairs,
} from '../packages/core/src/alignment/index.js';
import { CaptionDatastore, ExactSearch } from '../packages/core/src/retrieval/index.js';
import { tfjsBackendModule } from '@captune/backend-tfjs';
import { timeIt, type BenchResult } from './bench-result.js';
import { GPT2_124M_CONFIG, gpt2Specs, RandomCheckpoint } from './random-checkpoint.js';

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

interface ITuningSetting {
  readonly lm: { n_embd: number; n_layer: number; n_head: number; n_positions: number };
  readonly visionTokens: number;
  readonly visionHidden: number;
  readonly bottleneck: number;
  readonly batch: number;
  readonly captionTokens: number;
}

const SHAPES_DEMO: ITuningSetting = { lm: { n_embd: 48, n_layer: 3, n_head: 4, n_positions: 64 }, visionTokens: 17, visionHidden: 64, bottleneck: 64, batch: 16, captionTokens: 10 };
const REAL: ITuningSetting = { lm: { n_embd: 768, n_layer: 12, n_head: 12, n_positions: 1024 }, visionTokens: 197, visionHidden: 768, bottleneck: 48, batch: 32, captionTokens: 20 };

/** Median seconds of one I-Tuning step (forward, full-softmax caption loss, backward, AdamW) on random weights. */
async function ituningStepSeconds(backend: Backend, s: ITuningSetting, reps: number): Promise<number> {
  const e = new Engine(backend);
  const config = { ...GPT2_124M_CONFIG, ...s.lm, n_ctx: s.lm.n_positions } as unknown as typeof GPT2_124M_CONFIG;
  const lm = await loadLanguageDecoder(e, { config, weights: new RandomCheckpoint(gpt2Specs(config), 3), checkpoint: 'random gpt2' });
  const rng = new Rng(4);
  const adapter = new ITuningAdapter(e, { lmHidden: s.lm.n_embd, visionHidden: s.visionHidden, numLayers: s.lm.n_layer }, { bottleneck: s.bottleneck, zeroInitUp: false }, 5);
  const tokens = e.keep(e.tensor(rng.normalArray(s.batch * s.visionTokens * s.visionHidden), [s.batch, s.visionTokens, s.visionHidden]));
  const captions = Array.from({ length: s.batch }, () => Array.from({ length: s.captionTokens - 1 }, () => rng.int(50000)));
  const opt = new AdamW(e, adapter.params, { lr: 1e-4 });
  try {
    const { median } = await timeIt(
      async () => {
        const { value, grads } = e.valueAndGrads(() => captionLoss(lm, adapter, { tokens }, { captions }), adapter.params);
        opt.update(grads);
        await e.read(value);
        e.dispose([value, ...grads]);
      },
      { warmup: 1, reps },
    );
    return median;
  } finally {
    e.dispose(tokens);
    opt.dispose();
    adapter.dispose();
    lm.dispose();
  }
}

/** Fits of one size: times, agreement with the naive references, and one I-Tuning epoch over the same N. */
async function fitVersusEpoch(
  e: Engine,
  backend: Backend,
  label: string,
  n: number,
  d: number,
  setting: ITuningSetting,
  reps: number,
): Promise<{ results: BenchResult[]; pairs: Pairs; olsReference: Float64Array }> {
  const out: BenchResult[] = [];
  const size = `${label} ${n}x${d}`;
  const p = await makePairs(e, n, d);
  const source = chunksOf(p, 8192);
  let t0 = now();
  const { a, b } = naiveNormalEquations(p.x, p.y, n, d, d);
  const naiveMoments = now() - t0;
  t0 = now();
  const ridgeA = a.slice();
  for (let i = 0; i < d; i++) ridgeA[i * d + i]! += 1;
  const reference = {
    ols: gaussianSolve(a.slice(), b.slice(), d, d),
    ridge: gaussianSolve(ridgeA, b.slice(), d, d),
    procrustes: polarFactor(b, d),
  };
  out.push({ name: `naive float64 references (OLS, ridge, Procrustes) ${size}`, target: 'host', value: naiveMoments + now() - t0, unit: 's', extra: { normalEquationsSeconds: naiveMoments } });
  let worst = 0;
  const fitSeconds: Record<string, number> = {};
  for (const method of ['ols', 'ridge', 'procrustes'] as const) {
    t0 = now();
    const { map, report } = await fitLinearMap(source, p, { method, alpha: 1 });
    const total = now() - t0;
    fitSeconds[method] = total;
    const err = relativeError(map.weight, reference[method]);
    worst = Math.max(worst, err);
    const extra = { rows: n, accumulateSeconds: report.accumulateSeconds, solveSeconds: report.solveSeconds, wasmKernel: report.usesWasm, jitter: report.jitter, relativeErrorVsNaiveF64: err };
    out.push({ name: `fit ${method} ${size}`, target: 'host-f64', value: total, unit: 's', extra });
    const flops = method === 'procrustes' ? 2 * n * d * d : 2 * n * d * d * 1.5;
    out.push({ name: `fit ${method} ${size} accumulation`, target: 'host-f64', value: flops / report.accumulateSeconds / 1e9, unit: 'GFLOP/s', extra });
    out.push({ name: `fit ${method} ${size} vs naive f64`, target: 'host-f64', value: err, unit: 'rel. err', extra: { withinTolerance: err <= 1e-6, tolerance: 1e-6 } });
  }
  out.push({ name: `fit ${size}: max rel. err vs naive f64 (OLS, ridge, Procrustes)`, target: 'host-f64', value: worst, unit: 'rel. err', extra: { withinTolerance: worst <= 1e-6, tolerance: 1e-6 } });
  const step = await ituningStepSeconds(backend, setting, reps);
  const steps = Math.ceil(n / setting.batch);
  const target = `${backend.name}/${backend.device}`;
  const extra = {
    examples: n,
    batch: setting.batch,
    steps,
    measuredStepSeconds: step,
    extrapolated: true,
    lm: setting.lm,
    visionTokens: [setting.visionTokens, setting.visionHidden],
    bottleneck: setting.bottleneck,
    closedFormFitSeconds: fitSeconds,
    epochOverFit: { ols: (step * steps) / fitSeconds.ols!, procrustes: (step * steps) / fitSeconds.procrustes! },
  };
  out.push({ name: `I-Tuning one epoch over N=${n} (${steps} steps × ${step.toFixed(3)} s measured, extrapolated)`, target, value: step * steps, unit: 's', extra });
  out.push({ name: `I-Tuning epoch ÷ closed-form OLS fit, ${size}`, target, value: (step * steps) / fitSeconds.ols!, unit: '×', extra });
  return { results: out, pairs: p, olsReference: reference.ols };
}

export async function runFitBench(quick: boolean): Promise<BenchResult[]> {
  const [n, d] = quick ? [20000, 256] : [100000, 512];
  const registry = createBackendRegistry([tfjsBackendModule]);
  const backend = await registry.create({ backend: 'tfjs', device: 'wasm' });
  const e = new Engine(backend);
  const out: BenchResult[] = [];
  try {
    out.push(...(await fitVersusEpoch(e, backend, 'shapes demo', 10000, 64, SHAPES_DEMO, quick ? 1 : 3)).results);
    const real = await fitVersusEpoch(e, backend, 'real', n, d, REAL, 1);
    out.push(...real.results);

    const { pairs: p, olsReference: reference } = real;
    const t0 = now();
    const f32 = await float32BackendOls(e, p, 8192);
    const size = `${n}x${d}`;
    out.push({ name: `OLS ${size}, XᵀX as f32 backend matmuls`, target: `${backend.name}/${backend.device}`, value: now() - t0, unit: 's' });
    out.push({ name: `OLS ${size}, XᵀX as f32 backend matmuls vs naive f64`, target: `${backend.name}/${backend.device}`, value: relativeError(f32, reference), unit: 'rel. err' });

    const m = quick ? 20000 : 100000;
    const store = new CaptionDatastore(512, { clipModel: 'bench/random' });
    store.add(new Rng(9).normalArray(m * 512), Array.from({ length: m }, (_, i) => `caption ${i}`));
    const search = new ExactSearch(e, store, { chunkRows: 32768, queryBatch: 256 });
    const queries = new Rng(10).normalArray(1024 * 512);
    await search.search(queries.subarray(0, 512 * 16), 10); // upload + warm up
    const t1 = now();
    await search.search(queries, 10);
    const secs = now() - t1;
    out.push({ name: `datastore search ${m}x512, k=10`, target: `${backend.name}/${backend.device}`, value: 1024 / secs, unit: 'queries/s' });
    search.dispose();
  } finally {
    await backend.close();
  }
  return out;
}
