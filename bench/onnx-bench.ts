/**
 * ONNX backend benchmarks: matmul GFLOP/s through captune's recording backend (op-bench.ts's
 * `matmulBench`, sizes 256…2048) against a bare onnxruntime-node session running one MatMul on
 * the same tensors (target: the backend reaches ≥ 70% of bare ORT), the GPT-2-small layer
 * forward / forward+backward, and how long compiling a graph takes.
 */
import { loadOrt, onnxBackendProvider, type Ort } from '@captune/backend-onnx';
import { Rng } from '@captune/core';
import { encodeOnnxModel, ONNX_IR_VERSION, ONNX_OPSET } from '../packages/backend-onnx/src/proto/onnx-model.js';
import { timeIt, type BenchResult } from './bench-result.js';
import { gpt2LayerBench, matmulBench } from './op-bench.js';

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
  } finally {
    await backend.close();
  }
  return out;
}
