/**
 * Model benchmarks with random weights in the exact Hugging Face layouts (random-checkpoint.ts),
 * loaded through core's loaders: the CLIP ViT-B/16 image encoder (images/s at batch 1 and 16)
 * and GPT-2 124M decoding (tokens/s for 20 new tokens after a 10-token prompt, greedy and beam 5,
 * KV cache on the device). Each is also reported as a fraction of the machine's peak, taken as
 * the measured 1024² matmul GFLOP/s on the same backend, from the models' FLOPs (2 per
 * multiply-add: linears, attention scores and mixing, patch embedding, LM head). Decoding, which
 * reads every weight once per forward pass, is also reported against the hardware's limit: the
 * time to read those weights at the machine's measured memory bandwidth (memory-bandwidth.ts).
 *
 *   npx tsx bench/model-bench.ts [--quick] [--backend tfjs] [--device wasm]
 */
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import {
  ClipModel,
  createSearchRegistry,
  DecodeOptionsSchema,
  DecodeSession,
  Engine,
  loadLanguageDecoder,
  Rng,
  type Backend,
} from '@captune/core';
import { formatTable, timeIt, type BenchResult } from './bench-result.js';
import { bandwidthFloorSeconds, machineBandwidth } from './memory-bandwidth.js';
import { matmulBench } from './op-bench.js';
import {
  CLIP_VIT_B16_CONFIG,
  clipVisionSpecs,
  countParams,
  GPT2_124M_CONFIG,
  gpt2Specs,
  gpt2WeightBytes,
  RandomCheckpoint,
} from './random-checkpoint.js';

/** FLOPs of one image through CLIP's vision tower and projection. */
export function clipVisionFlops(config = CLIP_VIT_B16_CONFIG): number {
  const v = config.vision_config;
  const C = v.hidden_size;
  const patches = (v.image_size / v.patch_size) ** 2;
  const N = patches + 1;
  const patchEmbed = 2 * patches * C * v.num_channels * v.patch_size ** 2;
  const perLayer = 2 * N * (4 * C * C + 2 * C * v.intermediate_size) + 2 * 2 * N * N * C;
  return patchEmbed + v.num_hidden_layers * perLayer + 2 * C * config.projection_dim;
}

/** FLOPs of GPT-2 running `tokens` new positions of one row after `past` cached ones, logits for the last only. */
export function gpt2Flops(past: number, tokens: number, config = GPT2_124M_CONFIG): number {
  const C = config.n_embd;
  const I = config.n_inner ?? 4 * C;
  let attention = 0;
  for (let t = 0; t < tokens; t++) attention += 2 * 2 * (past + t + 1) * C;
  const linears = 2 * tokens * (4 * C * C + 2 * C * I);
  return config.n_layer * (linears + attention) + 2 * C * config.vocab_size;
}

/** FLOPs of decoding `newTokens` after a `prompt`-token prompt with `rows` rows after the first step. */
function decodeFlops(prompt: number, newTokens: number, rows: number): number {
  let f = gpt2Flops(0, prompt); // prefill, one row
  for (let k = 1; k < newTokens; k++) f += rows * gpt2Flops(prompt + k - 1, 1);
  return f;
}

/**
 * PyTorch on CPU, float32, random weights, on a 2-core machine of this kind (the ONNX issue's
 * targets): seconds per batch of images, and per 20-token caption after a 10-token prompt.
 */
export const PYTORCH_CPU_SECONDS = { vitBatch1: 0.42, vitBatch16: 16 / 3.6, greedy20: 0.73, beam5x20: 1.23, iTuningStep: 3.3 } as const;

/** `r` as a share of the PyTorch CPU reference's speed (100% = as fast; more is faster). */
export function vsPytorch(r: BenchResult, referenceSeconds: number, seconds: number): BenchResult {
  return {
    name: `${r.name}: speed vs PyTorch CPU (${referenceSeconds.toFixed(2)} s)`,
    target: r.target,
    value: (100 * referenceSeconds) / seconds,
    unit: '%',
  };
}

/**
 * `r` against the hardware's limit for a memory-bound decode: reading `bytes` of weights at the
 * machine's measured bandwidth (memory-bandwidth.ts) takes the floor; 100% = at that floor. Each
 * forward pass (the prompt's, then one per further token, all beams in one batch) reads every
 * weight once.
 */
export function vsBandwidthFloor(r: BenchResult, bytes: number, gbps: number, seconds: number): BenchResult {
  const floor = bandwidthFloorSeconds(bytes, gbps);
  return {
    name: `${r.name}: share of the memory-bandwidth floor`,
    target: r.target,
    value: (100 * floor) / seconds,
    unit: '%',
    extra: { floorSeconds: floor, weightMB: bytes / 1e6, memoryReadGBps: gbps },
  };
}

function withPeak(r: BenchResult, flops: number, seconds: number, peak: number): BenchResult[] {
  const gflops = flops / seconds / 1e9;
  return [
    {
      ...r,
      extra: {
        ...r.extra,
        gflopsPerSecond: gflops,
        modelGflops: flops / 1e9,
        peakGflops: peak,
        fractionOfPeak: gflops / peak,
      },
    },
    {
      name: `${r.name}: share of matmul peak`,
      target: r.target,
      value: (100 * gflops) / peak,
      unit: '%',
    },
  ];
}

async function clipBench(backend: Backend, quick: boolean, peak: number): Promise<BenchResult[]> {
  const e = new Engine(backend);
  const target = `${backend.name}/${backend.device}`;
  const specs = clipVisionSpecs();
  const clip = await ClipModel.load(e, new RandomCheckpoint(specs, 1), CLIP_VIT_B16_CONFIG, {
    towers: 'vision',
    where: 'random ViT-B/16',
  });
  const out: BenchResult[] = [];
  const S = CLIP_VIT_B16_CONFIG.vision_config.image_size;
  const rng = new Rng(3);
  try {
    for (const B of [1, 16]) {
      const pixels = e.keep(e.tensor(rng.normalArray(B * 3 * S * S), [B, 3, S, S]));
      const { median } = await timeIt(
        async () => {
          const embeds = e.tidy(() => clip.encodeImages(pixels).embeds); // [B, 512]
          await e.read(embeds);
          e.dispose(embeds);
        },
        { warmup: 2, reps: quick ? 3 : 5 },
      );
      e.dispose(pixels);
      const r: BenchResult = {
        name: `CLIP ViT-B/16 image encoder, batch ${B}`,
        target,
        value: B / median,
        unit: 'images/s',
        extra: { secondsPerBatch: median, params: countParams(specs) },
      };
      out.push(...withPeak(r, B * clipVisionFlops(), median, peak));
      out.push(vsPytorch(r, B === 1 ? PYTORCH_CPU_SECONDS.vitBatch1 : PYTORCH_CPU_SECONDS.vitBatch16, median));
    }
  } finally {
    clip.dispose();
  }
  return out;
}

async function gpt2Bench(backend: Backend, quick: boolean, peak: number): Promise<BenchResult[]> {
  const bandwidth = await machineBandwidth(); // before the model takes memory and cores
  const e = new Engine(backend);
  const target = `${backend.name}/${backend.device}`;
  const specs = gpt2Specs();
  const weightBytes = gpt2WeightBytes(specs);
  const lm = await loadLanguageDecoder(e, {
    config: GPT2_124M_CONFIG,
    weights: new RandomCheckpoint(specs, 2),
    checkpoint: 'random GPT-2 124M',
  });
  const rng = new Rng(4);
  const prompt = Array.from({ length: 10 }, () => rng.int(GPT2_124M_CONFIG.vocab_size - 1));
  const newTokens = 20;
  const searches = createSearchRegistry();
  const out: BenchResult[] = [];
  try {
    for (const [name, beams] of [
      ['greedy', 1],
      ['beam', 5],
    ] as const) {
      // minNewTokens = maxNewTokens: random weights must not stop early at EOS.
      const options = DecodeOptionsSchema.parse({
        maxNewTokens: newTokens,
        minNewTokens: newTokens,
        numBeams: beams,
      });
      let generated = 0;
      const { median } = await timeIt(
        async () => {
          const session = new DecodeSession({ decoder: lm, prompts: [prompt] });
          try {
            const [seq] = await searches.get(name).decode(session, options);
            generated = seq!.tokens.length;
          } finally {
            session.dispose();
          }
        },
        // Two warm-ups: the first compiles, the second lets the allocator settle (steady state).
        { warmup: 2, reps: quick ? 3 : 5 },
      );
      const r: BenchResult = {
        name: `GPT-2 124M ${name === 'beam' ? 'beam 5' : 'greedy'} decode, ${prompt.length}-token prompt + ${newTokens}`,
        target,
        value: generated / median,
        unit: 'tokens/s',
        extra: { secondsPerSequence: median, generated, params: countParams(specs) },
      };
      out.push(...withPeak(r, decodeFlops(prompt.length, generated, beams), median, peak));
      if (generated === 20) out.push(vsPytorch(r, beams === 1 ? PYTORCH_CPU_SECONDS.greedy20 : PYTORCH_CPU_SECONDS.beam5x20, median));
      out.push(vsBandwidthFloor(r, generated * weightBytes, bandwidth.gbps, median));
    }
  } finally {
    lm.dispose();
  }
  return out;
}

/** Every model benchmark on `backend`; the 1024² matmul that sets the peak is reported first. */
export async function runModelBench(backend: Backend, quick: boolean): Promise<BenchResult[]> {
  const [matmul] = await matmulBench(backend, [1024], quick);
  const peak = matmul!.value;
  const results: BenchResult[] = [{ ...matmul!, name: `${matmul!.name} (peak for model shares)` }];
  results.push(...(await clipBench(backend, quick, peak)));
  results.push(...(await gpt2Bench(backend, quick, peak)));
  return results;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      backend: { type: 'string', default: 'tfjs' },
      device: { type: 'string', default: 'auto' },
    },
  });
  const { createBackendRegistry, BackendConfigSchema } = await import('@captune/core');
  const { tfjsBackendModule } = await import('@captune/backend-tfjs');
  const backend = await createBackendRegistry([tfjsBackendModule]).create(
    BackendConfigSchema.parse({ backend: values.backend, device: values.device }),
  );
  try {
    console.log(formatTable(await runModelBench(backend, values.quick)));
  } finally {
    await backend.close();
  }
}
