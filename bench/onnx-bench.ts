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
import { gpt2LayerBench, matmulBench } from './op-bench.js';
import { GPT2_124M_CONFIG, gpt2Specs, RandomCheckpoint } from './random-checkpoint.js';

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
          { warmup: 1, reps: quick ? 2 : 4 },
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
  } finally {
    await backend.close();
  }
  return out;
}
