/**
 * Training speed at real sizes: one I-Tuning step (forward, captioning loss, backward, AdamW)
 * on a frozen GPT-2 124M with random weights, batch 32 × 20 caption tokens, cross-attending to
 * 197 ViT-B/16 tokens per image, with a 1.8M-parameter bottleneck adapter (r = 48 in all
 * 12 layers) — the setting of the PyTorch CPU reference the ONNX issue quotes (3.3 s/step).
 */
import { captionLoss, AdamW, Engine, ITuningAdapter, loadLanguageDecoder, parameterCount, Rng, type Backend } from '@captune/core';
import { timeIt, type BenchResult } from './bench-result.js';
import { PYTORCH_CPU_SECONDS, vsPytorch } from './model-bench.js';
import { GPT2_124M_CONFIG, RandomCheckpoint, gpt2Specs } from './random-checkpoint.js';

export async function runTrainBench(backend: Backend, quick: boolean): Promise<BenchResult[]> {
  const e = new Engine(backend);
  const target = `${backend.name}/${backend.device}`;
  const lm = await loadLanguageDecoder(e, { config: GPT2_124M_CONFIG, weights: new RandomCheckpoint(gpt2Specs(), 3), checkpoint: 'random gpt2' });
  const [B, T, N, Cv] = [32, 20, 197, 768];
  const rng = new Rng(4);
  const adapter = new ITuningAdapter(e, { lmHidden: 768, visionHidden: Cv, numLayers: 12 }, { bottleneck: 48, zeroInitUp: false }, 5);
  const tokens = e.keep(e.tensor(rng.normalArray(B * N * Cv), [B, N, Cv]));
  const captions = Array.from({ length: B }, () => Array.from({ length: T - 1 }, () => rng.int(50000)));
  const opt = new AdamW(e, adapter.params, { lr: 1e-4 });
  const step = async () => {
    const { value, grads } = e.valueAndGrads(() => captionLoss(lm, adapter, { tokens }, { captions }), adapter.params);
    opt.update(grads);
    await e.read(value);
    e.dispose([value, ...grads]);
  };
  try {
    // Two warm-ups: the first compiles, the second lets the allocator settle (steady state).
    const { median } = await timeIt(step, { warmup: 2, reps: quick ? 3 : 5 });
    const r: BenchResult = {
      name: `I-Tuning train step (GPT-2 124M frozen, ${(parameterCount(adapter.params) / 1e6).toFixed(2)}M adapter, B=${B}, T=${T})`,
      target,
      value: median,
      unit: 's/step',
      extra: { stepsPerSecond: 1 / median, pytorchCpuReferenceSeconds: PYTORCH_CPU_SECONDS.iTuningStep },
    };
    return [r, vsPytorch(r, PYTORCH_CPU_SECONDS.iTuningStep, median)];
  } finally {
    e.dispose(tokens);
    opt.dispose();
    adapter.dispose();
    lm.dispose();
  }
}
