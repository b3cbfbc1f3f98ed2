/**
 * Backend benchmarks for the op contract: matmul throughput (GFLOP/s) at 256…2048, transposed
 * matmuls (flags vs explicit transpose + plain product) at training shapes, and the
 * forward+backward time of one GPT-2-small-shaped transformer layer (C = 768, 12 heads,
 * FFN 3072) at batch 8 × 64 tokens, through core's engine and autodiff.
 */
import { Engine, Rng, sizeOf, type Backend, type Tensor, type Variable } from '@captune/core';
import { timeIt, type BenchResult } from './bench-result.js';

/**
 * Square matmuls at `sizes`; with `transposeGrid` (default: when more than one size is asked,
 * i.e. the full `pnpm bench` sweep) also `matmulTransposeBench`.
 */
export async function matmulBench(backend: Backend, sizes: readonly number[], quick: boolean, options: { transposeGrid?: boolean } = {}): Promise<BenchResult[]> {
  const e = new Engine(backend);
  const rng = new Rng(0);
  const target = `${backend.name}/${backend.device}`;
  const out: BenchResult[] = [];
  for (const n of sizes) {
    const inner = n <= 512 ? 8 : 2;
    // Distinct left operands: a graph compiler (ORT) would merge identical matmuls into one.
    const as = Array.from({ length: inner }, () => e.keep(e.tensor(rng.uniformArray(n * n, -1, 1), [n, n])));
    const b = e.keep(e.tensor(rng.uniformArray(n * n, -1, 1), [n, n]));
    const { median } = await timeIt(
      async () => {
        // One element of every product is kept, so a recording backend (onnx), which drops
        // results nothing holds, still computes all `inner` matmuls.
        const probes: Tensor[] = [];
        for (let i = 0; i < inner; i++) {
          const c = e.matmul(as[i]!, b); // [n, n]
          probes.push(e.slice(c, [0, 0], [1, 1]));
          e.dispose(c);
        }
        await e.read(probes[probes.length - 1]!);
        e.dispose(probes);
        await backend.flush();
      },
      { warmup: 1, reps: quick ? 2 : 5 },
    );
    const flops = 2 * n * n * n * inner;
    out.push({ name: `matmul ${n}x${n}x${n}`, target, value: flops / median / 1e9, unit: 'GFLOP/s', extra: { secondsPerMatmul: median / inner } });
    e.dispose([...as, b]);
  }
  if (options.transposeGrid ?? sizes.length > 1) out.push(...(await matmulTransposeBench(backend, quick)));
  return out;
}

/** Matmuls with a transposed operand as training and decoding use them: [a shape, b shape, transposeA, transposeB]. */
const TRANSPOSE_GRID: readonly { label: string; a: number[]; b: number[]; tA: boolean; tB: boolean }[] = [
  { label: 'linear dx [240,192]·[48,192]ᵀ', a: [240, 192], b: [48, 192], tA: false, tB: true },
  { label: 'linear dW [272,64]ᵀ·[272,64]', a: [272, 64], b: [272, 64], tA: true, tB: false },
  { label: 'linear dx [1024,768]·[768,768]ᵀ', a: [1024, 768], b: [768, 768], tA: false, tB: true },
  { label: 'linear dW [1024,768]ᵀ·[1024,768]', a: [1024, 768], b: [1024, 768], tA: true, tB: false },
  { label: 'nn.Linear forward [256,768]·[3072,768]ᵀ', a: [256, 768], b: [3072, 768], tA: false, tB: true },
  { label: 'decode step [1,768]·[3072,768]ᵀ', a: [1, 768], b: [3072, 768], tA: false, tB: true },
  { label: 'batch × weight [16,17,192]·[48,192]ᵀ', a: [16, 17, 192], b: [48, 192], tA: false, tB: true },
  { label: 'attention qkᵀ [96,64,64]·[96,64,64]ᵀ', a: [96, 64, 64], b: [96, 64, 64], tA: false, tB: true },
];

/**
 * Each grid product through the backend with transpose flags (value, ms) against an explicit
 * `transpose` + plain matmul (extra.explicitMs). A backend that picks its fastest form itself
 * (tfjs: backend-tfjs/src/matmul-plan.ts) keeps flaggedOverExplicit at ≈ 1 or below.
 */
export async function matmulTransposeBench(backend: Backend, quick: boolean): Promise<BenchResult[]> {
  const e = new Engine(backend);
  const rng = new Rng(2);
  const target = `${backend.name}/${backend.device}`;
  // The plain-JS tfjs cpu device runs ~1 GFLOP/s: keep to the small products there.
  const maxFlops = backend.device === 'cpu' ? 2e8 : Infinity;
  const out: BenchResult[] = [];
  for (const g of TRANSPOSE_GRID) {
    const m = g.tA ? g.a.at(-1)! : g.a.at(-2)!;
    const k = g.tA ? g.a.at(-2)! : g.a.at(-1)!;
    const n = g.tB ? g.b.at(-2)! : g.b.at(-1)!;
    const flops = 2 * m * k * n * g.a.slice(0, -2).reduce((x, y) => x * y, 1);
    if (flops > maxFlops) continue;
    const a = e.keep(e.tensor(rng.uniformArray(sizeOf(g.a), -1, 1), g.a));
    const b = e.keep(e.tensor(rng.uniformArray(sizeOf(g.b), -1, 1), g.b));
    const swap = (x: Tensor) => e.transpose(x, [...x.shape.keys()].map((i) => (i < x.rank - 2 ? i : 2 * x.rank - 3 - i)));
    const inner = Math.max(1, Math.min(8, Math.round(2e8 / flops)));
    const time = async (product: () => Tensor) =>
      (await timeIt(async () => {
        // One element of each product is kept, so a recording backend computes every one.
        const probes = Array.from({ length: inner }, () =>
          e.tidy(() => {
            const p = product();
            return e.slice(p, new Array<number>(p.rank).fill(0), new Array<number>(p.rank).fill(1));
          }),
        );
        await e.read(probes[probes.length - 1]!);
        e.dispose(probes);
        await backend.flush();
      }, { warmup: 1, reps: quick ? 3 : 7 })).median / inner;
    const flagged = await time(() => e.matmul(a, b, { transposeA: g.tA, transposeB: g.tB }));
    const explicit = await time(() => e.matmul(g.tA ? swap(a) : a, g.tB ? swap(b) : b));
    out.push({ name: `matmul transpose ${g.label}`, target, value: flagged * 1000, unit: 'ms', extra: { explicitMs: explicit * 1000, flaggedOverExplicit: flagged / explicit, gflops: flops / flagged / 1e9 } });
    e.dispose([a, b]);
  }
  return out;
}

export async function gpt2LayerBench(backend: Backend, quick: boolean): Promise<BenchResult[]> {
  const e = new Engine(backend);
  const rng = new Rng(1);
  const [B, T, C, H, F] = [8, 64, 768, 12, 3072];
  const w = (shape: number[], std = 0.02): Variable => e.variable(e.tensor(rng.normalArray(shape.reduce((x, y) => x * y, 1), std), shape));
  const p = {
    ln1g: e.variable(e.ones([C])), ln1b: e.variable(e.zeros([C])),
    attnW: w([C, 3 * C]), attnB: e.variable(e.zeros([3 * C])),
    projW: w([C, C]), projB: e.variable(e.zeros([C])),
    ln2g: e.variable(e.ones([C])), ln2b: e.variable(e.zeros([C])),
    fcW: w([C, F]), fcB: e.variable(e.zeros([F])),
    fc2W: w([F, C]), fc2B: e.variable(e.zeros([C])),
  };
  const params = Object.values(p);
  const x = e.keep(e.tensor(rng.normalArray(B * T * C), [B, T, C]));
  const maskData = new Float32Array(T * T);
  for (let i = 0; i < T; i++) for (let j = i + 1; j < T; j++) maskData[i * T + j] = -1e9;
  const mask = e.keep(e.tensor(maskData, [1, 1, T, T]));
  const layer = (): Tensor => {
    const h = e.layerNorm(x, p.ln1g, p.ln1b, 1e-5); // [B, T, C]
    const qkv = e.linear(h, p.attnW, p.attnB); // [B, T, 3C]
    const heads = (i: number) => e.transpose(e.reshape(e.slice(qkv, [0, 0, i * C], [B, T, C]), [B, T, H, C / H]), [0, 2, 1, 3]); // [B, H, T, D]
    const a = e.attention(heads(0), heads(1), heads(2), mask, 1 / Math.sqrt(C / H)); // [B, H, T, D]
    const merged = e.reshape(e.transpose(a, [0, 2, 1, 3]), [B, T, C]);
    const r1 = e.add(x, e.linear(merged, p.projW, p.projB)); // [B, T, C]
    const m = e.linear(e.gelu(e.linear(e.layerNorm(r1, p.ln2g, p.ln2b, 1e-5), p.fcW, p.fcB)), p.fc2W, p.fc2B);
    return e.add(r1, m); // [B, T, C]
  };
  const target = `${backend.name}/${backend.device}`;
  const fwd = await timeIt(async () => {
    const y = e.tidy(() => e.sum(layer()));
    await e.read(y);
    e.dispose(y);
  }, { reps: quick ? 2 : 5 });
  const fb = await timeIt(async () => {
    const { value, grads } = e.valueAndGrads(() => e.sum(layer()), params);
    await e.read(grads[grads.length - 1]!);
    e.dispose([value, ...grads]);
  }, { reps: quick ? 2 : 3 });
  // FLOPs of the forward: 4 linears + 2 attention matmuls.
  const fwdFlops = 2 * B * T * (C * 3 * C + C * C + 2 * C * F) + 2 * 2 * B * H * T * T * (C / H);
  e.dispose([x, mask, ...params]);
  return [
    { name: `gpt2-small layer forward (B=${B}, T=${T})`, target, value: fwd.median * 1000, unit: 'ms', extra: { gflops: fwdFlops / fwd.median / 1e9 } },
    { name: `gpt2-small layer forward+backward (B=${B}, T=${T})`, target, value: fb.median * 1000, unit: 'ms', extra: { gflops: (3 * fwdFlops) / fb.median / 1e9 } },
  ];
}
