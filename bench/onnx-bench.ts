/**
 * ONNX backend benchmarks: matmul GFLOP/s through captune's recording backend (op-bench.ts's
 * `matmulBench`, sizes 256…2048) against a bare onnxruntime-node session running one MatMul on
 * the same tensors (target: the backend reaches ≥ 70% of bare ORT), the GPT-2-small layer
 * forward / forward+backward, how long compiling a graph takes, and warm GPT-2 124M decoding
 * (greedy and beam 5, sessions compiled before timing) with frozen weights fed as inputs at
 * every run against compiled in as pre-packed constants (record/constant-policy.ts).
 */
import { loadOrt, onnxBackendProvider, type OnnxBackendTuning, type Ort } from '@captune/backend-onnx';
import { createSearchRegistry, DecodeOptionsSchema, DecodeSession, Engine, loadLanguageDecoder, Rng } from '@captune/core';
import { encodeOnnxModel, ONNX_IR_VERSION, ONNX_OPSET } from '../packages/backend-onnx/src/proto/onnx-model.js';
import { timeIt, type BenchResult } from './bench-result.js';
import { bandwidthFloorSeconds, machineBandwidth } from './memory-bandwidth.js';
import { gpt2LayerBench, matmulBench } from './op-bench.js';
import { GPT2_124M_CONFIG, gpt2Specs, gpt2WeightBytes, RandomCheckpoint } from './random-checkpoint.js';

const SIZES = [256, 512, 1024, 2048];

/** C = A·B as a standalone ONNX model with inputs A, B [n, n]. */
function matmulModel(n: number): Uint8Array {
  return encodeOnnxModel({
    irVersion: ONNX_IR_VERSION,
    opsetImports: [{ domain: '', version: ONNX_OPSET }],
    producerName: 'captune-bench',
    producerVersion: '0.1.0',
    graph: {
      name: 'matmul',
      nodes: [{ opType: 'MatMul', inputs: ['A', 'B'], outputs: ['C'] }],
      inputs: [
        { name: 'A', elemType: 'float', shape: [n, n] },
        { name: 'B', elemType: 'float', shape: [n, n] },
      ],
      outputs: [{ name: 'C', elemType: 'float', shape: [n, n] }],
      initializers: [],
    },
  });
}

/** GFLOP/s of a bare ORT session (cpu EP) running C = A·B on tensors it is fed each run. */
async function bareOrtMatmul(ort: Ort, n: number, quick: boolean): Promise<number> {
  const session = await ort.InferenceSession.create(matmulModel(n), {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
    extra: { session: { intra_op: { allow_spinning: '0' } } },
  });
  const rng = new Rng(0);
  const inner = n <= 512 ? 8 : 2;
  const as = Array.from({ length: inner }, () => new ort.Tensor('float32', rng.uniformArray(n * n, -1, 1), [n, n]));
  const B = new ort.Tensor('float32', rng.uniformArray(n * n, -1, 1), [n, n]);
  const { median } = await timeIt(
    async () => {
      for (let i = 0; i < inner; i++) await session.run({ A: as[i]!, B });
    },
    { warmup: 1, reps: quick ? 2 : 5 },
  );
  await session.release();
  return (2 * n * n * n * inner) / median / 1e9;
}

/**
 * Warm GPT-2 124M decoding, 20 tokens after a 10-token prompt, per token: frozen weights fed at
 * every run ("inputs") against pre-packed constants (the default), the default without the
 * transposed LM-head copy (record/transposed-weights.ts), and with ORT's worker threads spinning
 * during runs (`threadSpinning`: faster only on an idle machine). One decode first compiles every session.
 */
async function warmDecodeBench(quick: boolean): Promise<BenchResult[]> {
  const out: BenchResult[] = [];
  const rng = new Rng(4);
  const prompt = Array.from({ length: 10 }, () => rng.int(GPT2_124M_CONFIG.vocab_size - 1));
  const searches = createSearchRegistry();
  const bandwidth = await machineBandwidth();
  const weightBytes = gpt2WeightBytes(gpt2Specs());
  const variants: [string, OnnxBackendTuning][] = [
    ['weights as inputs', { constants: { enabled: false } }],
    ['weights as constants', {}],
    ['weights as constants, no transposed head', { transposedWeights: { enabled: false } }],
    ['weights as constants, threads spinning', { threadSpinning: true }],
  ];
  for (const [weights, tuning] of variants) {
    const backend = await onnxBackendProvider.createOnnx('cpu', tuning);
    const e = new Engine(backend);
    const lm = await loadLanguageDecoder(e, { config: GPT2_124M_CONFIG, weights: new RandomCheckpoint(gpt2Specs(), 2), checkpoint: 'random GPT-2 124M' });
    try {
      for (const [name, numBeams] of [['greedy', 1], ['beam', 5]] as const) {
        const options = DecodeOptionsSchema.parse({ maxNewTokens: 20, minNewTokens: 20, numBeams });
        let generated = 0;
        const before = backend.stats;
        const t0 = performance.now();
        const { median } = await timeIt(
          async () => {
            const session = new DecodeSession({ decoder: lm, prompts: [prompt] });
            try {
              generated = (await searches.get(name).decode(session, options))[0]!.tokens.length;
            } finally {
              session.dispose();
            }
          },
          { warmup: 2, reps: quick ? 3 : 5 },
        );
        const after = backend.stats;
        const wallMs = performance.now() - t0 - (after.compileMs - before.compileMs);
        out.push({
          name: `GPT-2 124M warm ${name === 'beam' ? 'beam 5' : 'greedy'} decode, ${weights}`,
          target: 'onnx/cpu',
          value: (1000 * median) / generated,
          unit: 'ms/token',
          extra: {
            secondsPerSequence: median,
            // Time inside ORT's session.run over wall time (compiles excluded): the rest is recording in JS.
            sessionRunShare: (after.runMs - before.runMs) / wallMs,
            compiles: after.compiles - before.compiles,
            cachedConstantBytes: after.cachedConstantBytes,
            transposedWeightBytes: after.transposedWeightBytes,
            replays: after.replays - before.replays,
            // Reading every weight once per forward pass at the measured bandwidth, over the time taken.
            shareOfBandwidthFloor: bandwidthFloorSeconds(generated * weightBytes, bandwidth.gbps) / median,
          },
        });
      }
    } finally {
      lm.dispose();
      await backend.close();
    }
  }
  return out;
}

/**
 * The floor under a GPT-2 124M greedy token on this machine: a bare ORT session (weights as
 * external-data initializers, pre-packed) running only the step's 49 one-row matmuls — per layer
 * x·W for c_attn [768, 2304], attn c_proj [768, 768], c_fc [768, 3072], mlp c_proj [3072, 768],
 * then the tied LM head [768, 50257] — 494 MB of float32 weights, more than the caches hold, read
 * once per token: memory-bound, so this is the machine's limit for a float32 greedy token, and
 * `effectiveGBps` the weight bandwidth it reaches.
 */
export async function decodeFloorBench(ort: Ort, quick: boolean): Promise<BenchResult[]> {
  const C = 768;
  const shapes: [number, number][] = [];
  for (let l = 0; l < 12; l++) shapes.push([C, 3 * C], [C, C], [C, 4 * C], [4 * C, C]);
  shapes.push([C, 50257]);
  const rng = new Rng(5);
  const nodes: { opType: string; inputs: string[]; outputs: string[] }[] = [];
  const initializers: { name: string; elemType: 'float'; dims: number[]; data: { location: string; offset: number; length: number } }[] = [];
  const external: { path: string; data: Uint8Array }[] = [];
  let x = 'x';
  let bytes = 0;
  shapes.forEach(([k, n], i) => {
    const w = rng.uniformArray(k * n, -0.02, 0.02);
    const data = new Uint8Array(w.buffer, w.byteOffset, w.byteLength);
    bytes += data.byteLength;
    initializers.push({ name: `w${i}`, elemType: 'float', dims: [k, n], data: { location: `w${i}`, offset: 0, length: data.byteLength } });
    external.push({ path: `w${i}`, data });
    // One row through every weight; a Slice keeps the next input [1, 768] (its first columns).
    const y = `y${i}`;
    nodes.push({ opType: 'MatMul', inputs: [x, `w${i}`], outputs: [y] });
    if (i + 1 < shapes.length) {
      nodes.push({ opType: 'Slice', inputs: [y, 'zero', `k${shapes[i + 1]![0]}`, 'one'], outputs: [`x${i + 1}`] });
      x = `x${i + 1}`;
    } else x = y;
  });
  const int64 = (name: string, v: number) => ({ name, elemType: 'int64' as const, dims: [1], data: new Uint8Array(BigInt64Array.of(BigInt(v)).buffer) });
  const model = encodeOnnxModel({
    irVersion: ONNX_IR_VERSION,
    opsetImports: [{ domain: '', version: ONNX_OPSET }],
    producerName: 'captune-bench',
    producerVersion: '0.1.0',
    graph: {
      name: 'decode_floor',
      nodes,
      inputs: [{ name: 'x', elemType: 'float', shape: [1, C] }],
      outputs: [{ name: x, elemType: 'float', shape: [1, 50257] }],
      initializers: [...initializers, int64('zero', 0), int64('one', 1), int64(`k${C}`, C), int64(`k${4 * C}`, 4 * C)],
    },
  });
  const session = await ort.InferenceSession.create(model, {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
    externalData: external,
    extra: { session: { intra_op: { allow_spinning: '0' } } },
  });
  const feed = { x: new ort.Tensor('float32', rng.uniformArray(C, -1, 1), [1, C]) };
  const { median: stepS } = await timeIt(async () => void (await session.run(feed)), { warmup: 2, reps: quick ? 10 : 30 });
  await session.release();

  return [
    {
      name: 'GPT-2 124M greedy step floor: its 49 one-row matmuls alone (bare ORT session)',
      target: 'onnxruntime-node/cpu',
      value: 1000 * stepS,
      unit: 'ms/token',
      extra: { weightMB: bytes / 1e6, effectiveGBps: bytes / stepS / 1e9, shareOfMemoryBandwidth: bytes / stepS / 1e9 / (await machineBandwidth()).gbps },
    },
  ];
}

export async function runOnnxBench(quick: boolean): Promise<BenchResult[]> {
  const loaded = await loadOrt();
  if (!loaded.ok) throw new Error(loaded.reason);
  const sizes = quick ? SIZES.slice(0, 3) : SIZES;
  const out: BenchResult[] = [];
  const backend = await onnxBackendProvider.createOnnx('cpu');
  try {
    for (const n of sizes) {
      const r = (await matmulBench(backend, [n], quick))[0]!;
      const bare = await bareOrtMatmul(loaded.ort, n, quick);
      out.push({ ...r, extra: { ...r.extra, bareOrtGflops: bare, fractionOfBareOrt: r.value / bare } });
      out.push({ name: `matmul ${n}x${n}x${n} (bare ORT session)`, target: 'onnxruntime-node/cpu', value: bare, unit: 'GFLOP/s' });
      out.push({ name: `matmul ${n}x${n}x${n}: onnx backend / bare ORT`, target: 'onnx/cpu', value: (100 * r.value) / bare, unit: '%' });
    }
    const before = backend.stats;
    out.push(...(await gpt2LayerBench(backend, quick)));
    const after = backend.stats;
    const compiles = after.compiles - before.compiles;
    out.push({
      name: 'graph compile (gpt2-small layer forward and forward+backward graphs)',
      target: 'onnx/cpu',
      value: compiles > 0 ? (after.compileMs - before.compileMs) / compiles : 0,
      unit: 'ms/graph',
      extra: { compiles, runs: after.runs - before.runs, cacheHits: after.cacheHits - before.cacheHits },
    });
    out.push(...(await warmDecodeBench(quick)));
    out.push(...(await decodeFloorBench(loaded.ort, quick)));
  } finally {
    await backend.close();
  }
  return out;
}
