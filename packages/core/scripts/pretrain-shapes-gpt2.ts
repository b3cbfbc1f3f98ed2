/**
 * Pretrains the shapes world's tiny GPT-2 (GPT2LMHeadModel layout, real GPT-2 tokenizer) as a
 * language model on shapes captions, `[BOS, caption…, EOS]` with BOS = EOS = 50256, and writes
 * packages/core/assets/shapes/gpt2/ (config.json, model.safetensors in F16, vocab.json,
 * merges.txt, tokenizer_config.json). Deterministic for a given seed and backend.
 *
 *   npx tsx packages/core/scripts/pretrain-shapes-gpt2.ts [--steps 1500] [--batch 32] [--seed 7] [--out DIR]
 *
 * The loss is a sampled softmax over the corpus' tokens plus `--negatives` uniform negatives
 * per step (log-Q corrected; see src/pretrain/gpt2-lm-loss.ts); the held-out loss printed at the
 * start and end is the full 50,257-way softmax.
 *
 * Runs on @captune/backend-tfjs (wasm). See packages/core/assets/shapes/README.md for the
 * settings used for the committed checkpoint and how long it took.
 */
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createBackendRegistry } from '../src/backend/backend-container.js';
import { SafetensorsBuffer } from '../src/checkpoint/safetensors-buffer.js';
import { serializeSafetensors } from '../src/checkpoint/safetensors-serialize.js';
import { Engine } from '../src/engine/engine.js';
import { Gpt2Model } from '../src/models/gpt2/gpt2-model.js';
import { openCheckpoint } from '../src/node/checkpoint-folder.js';
import { loadTokenizer } from '../src/node/tokenizer-folder.js';
import { AdamW } from '../src/optim/adamw.js';
import { clipGradNorm } from '../src/optim/clip-grad-norm.js';
import { learningRateAt } from '../src/optim/lr-schedule.js';
import { sampleSoftmaxCandidates, TrainableGpt2 } from '../src/pretrain/gpt2-lm-loss.js';
import { initGpt2Tensors, shapesGpt2Config } from '../src/pretrain/shapes-gpt2-config.js';
import { exportWeights, loadTrainable } from '../src/pretrain/trainable-weights.js';
import { Rng } from '../src/random/rng.js';
import { generateScene } from '../src/shapes/generate-scene.js';
import { captionScene } from '../src/shapes/scene-captions.js';
import { tfjsBackendModule } from '../../backend-tfjs/src/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const { values: args } = parseArgs({
  options: {
    steps: { type: 'string', default: '1500' },
    batch: { type: 'string', default: '32' },
    lr: { type: 'string', default: '0.003' },
    seed: { type: 'string', default: '7' },
    scenes: { type: 'string', default: '20000' },
    negatives: { type: 'string', default: '1024' },
    'wte-std': { type: 'string', default: '0.1' },
    out: { type: 'string', default: join(here, '../assets/shapes/gpt2') },
  },
});
const steps = Number(args.steps);
const batch = Number(args.batch);
const peakLr = Number(args.lr);
const seed = Number(args.seed);
const sceneCount = Number(args.scenes);
const negatives = Number(args.negatives);
/** Scene sets: pretraining captions come from seed 1000 + seed, held-out ones from 2000 + seed. */
const TRAIN_SCENE_SEED = 1000 + seed;
const HELD_OUT_SCENE_SEED = 2000 + seed;

const vocabDir = join(here, '../fixtures/vocab');
const tokenizer = loadTokenizer(vocabDir, { kind: 'gpt2' });
const captionsOf = (sceneSeed: number, n: number) =>
  Array.from({ length: n }, (_, i) => captionScene(generateScene(sceneSeed, i))).flat();
const trainIds = captionsOf(TRAIN_SCENE_SEED, sceneCount).map((c) => tokenizer.encode(c));
const heldOut = captionsOf(HELD_OUT_SCENE_SEED, 40).map((c) => tokenizer.encode(c));
/** Every token the corpus uses (plus EOS): always in the sampled softmax. */
const positives = [...new Set([...trainIds.flat(), 50256])].sort((a, b) => a - b);

const backend = await createBackendRegistry([tfjsBackendModule]).create({ backend: 'tfjs', device: 'wasm' });
const engine = new Engine(backend);
const config = shapesGpt2Config();
const init = new SafetensorsBuffer(serializeSafetensors(initGpt2Tensors(config, seed, { wteStd: Number(args['wte-std']) })), 'gpt2 init');
const model = new TrainableGpt2(engine, config, await loadTrainable(engine, init));
const params = model.params;
// No decay on biases, norms and the token embeddings (decay would erase the differences between
// interchangeable words such as the colours; see initGpt2Tensors).
const noDecay = (p: { name: string; shape: readonly number[] }) => p.shape.length < 2 || p.name === 'wte.weight';
const opt = new AdamW(engine, params, { lr: peakLr, weightDecay: 0.01, noDecay });
const schedule = { type: 'cosine' as const, warmupSteps: Math.min(100, Math.floor(steps / 10)), minLrRatio: 0.05 };

async function heldOutLoss(): Promise<number> {
  let total = 0;
  for (let i = 0; i < heldOut.length; i += 50) {
    const loss = engine.tidy(() => model.lmLoss(heldOut.slice(i, i + 50)));
    total += (await engine.readScalar(loss)) * Math.min(50, heldOut.length - i);
    engine.dispose(loss);
  }
  return total / heldOut.length;
}

const rng = new Rng(seed);
console.log(`tiny GPT-2: ${params.reduce((n, p) => n + p.size, 0)} parameters; ${trainIds.length} training captions, ${positives.length} distinct tokens`);
console.log(`step 0: held-out loss ${(await heldOutLoss()).toFixed(3)}`);
const t0 = performance.now();
for (let step = 0; step < steps; step++) {
  const rows = Array.from({ length: batch }, () => trainIds[rng.int(trainIds.length)]!);
  const sampled = sampleSoftmaxCandidates(positives, config.vocab_size, negatives, rng);
  const { value, grads } = engine.valueAndGrads(() => model.lmLoss(rows, sampled), params);
  const clipped = clipGradNorm(engine, grads, 1.0);
  opt.update(clipped.grads, learningRateAt(schedule, peakLr, step, steps));
  if (step % 100 === 0 || step === steps - 1) {
    const loss = await engine.readScalar(value);
    const s = (performance.now() - t0) / 1000;
    console.log(`step ${step + 1}/${steps}: loss ${loss.toFixed(3)} (${s.toFixed(0)} s, ${((1000 * s) / (step + 1)).toFixed(0)} ms/step)`);
  }
  engine.dispose([value, ...grads, ...clipped.grads, clipped.norm]);
}
const trainSeconds = (performance.now() - t0) / 1000;
const finalHeldOut = await heldOutLoss();
console.log(`trained ${steps} steps in ${trainSeconds.toFixed(0)} s; held-out loss ${finalHeldOut.toFixed(3)} nats/token`);

// Write the folder: F16 weights (the loader converts to float32), the real GPT-2 tokenizer files.
const out = args.out!;
await mkdir(out, { recursive: true });
const tensors = await exportWeights(engine, model.weights, 'F16');
await writeFile(join(out, 'model.safetensors'), serializeSafetensors(tensors, { metadata: { format: 'pt' } }));
await writeFile(join(out, 'config.json'), `${JSON.stringify({ ...config, torch_dtype: 'float16' }, null, 2)}\n`);
await copyFile(join(vocabDir, 'encoder.json'), join(out, 'vocab.json'));
await copyFile(join(vocabDir, 'vocab.bpe'), join(out, 'merges.txt'));
const tokenizerConfig = { tokenizer_class: 'GPT2Tokenizer', model_max_length: config.n_positions, bos_token: '<|endoftext|>', eos_token: '<|endoftext|>', unk_token: '<|endoftext|>' };
await writeFile(join(out, 'tokenizer_config.json'), `${JSON.stringify(tokenizerConfig, null, 2)}\n`);

// Check: the written folder loads with the inference model; greedy samples after BOS.
const source = await openCheckpoint(out);
const lm = await Gpt2Model.load(engine, { config: { ...config, torch_dtype: 'float16' }, weights: source });
await source.close();
for (let s = 0; s < 3; s++) {
  const ids = [config.bos_token_id];
  const sampler = new Rng(100 + s);
  for (let i = 0; i < 24; i++) {
    const logits = engine.tidy(() => lm.step({ inputIds: engine.tensor(ids, [1, ids.length], 'int32'), useCache: false } as never).logits);
    const p = (await engine.read(engine.softmax(logits))) as Float32Array;
    engine.dispose(logits);
    let u = sampler.next();
    let next = 0;
    for (; next < p.length - 1 && u > p[next]!; next++) u -= p[next]!;
    if (next === config.eos_token_id) break;
    ids.push(next);
  }
  console.log(`sample: ${JSON.stringify(tokenizer.decode(ids.slice(1)))}`);
}
console.log(`wrote ${out}`);
