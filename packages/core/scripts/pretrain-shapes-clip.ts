/**
 * Pretrains the shapes world's tiny CLIP (CLIPModel layout; ViT 64 px / patch 16 / width 64 /
 * 3 layers, text width 64 / 2 layers / context 32, a reduced real-CLIP BPE vocabulary) with the
 * symmetric contrastive loss on rendered shapes images and their captions, then writes
 * packages/core/assets/shapes/clip/ (config.json, model.safetensors F32, preprocessor_config.json,
 * vocab.json, merges.txt, tokenizer_config.json) and reports held-out retrieval accuracy.
 *
 *   npx tsx packages/core/scripts/pretrain-shapes-clip.ts [--steps 500] [--batch 32] [--images 4000] [--seed 7] [--out DIR] [--init DIR]
 *
 * Images: scenes of seed 1000 + seed rendered at 96 px, through CLIP preprocessing (PIL bicubic
 * 96 → 64). Held-out: scenes of seed 2000 + seed. Runs on @captune/backend-tfjs (wasm).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { createBackendRegistry } from '../src/backend/backend-container.js';
import { parseClipImageProcessorConfig } from '../src/checkpoint/clip-image-processor-config.js';
import { SafetensorsBuffer } from '../src/checkpoint/safetensors-buffer.js';
import { serializeSafetensors } from '../src/checkpoint/safetensors-serialize.js';
import { Engine } from '../src/engine/engine.js';
import { clipPreprocess } from '../src/images/clip-preprocess.js';
import { ClipModel } from '../src/models/clip/clip-model.js';
import { clipPoolIndices } from '../src/models/clip/clip-text.js';
import { openCheckpoint } from '../src/node/checkpoint-folder.js';
import { renderSceneRgb } from '../src/node/shapes-render.js';
import { loadTokenizer } from '../src/node/tokenizer-folder.js';
import { AdamW } from '../src/optim/adamw.js';
import { clipGradNorm } from '../src/optim/clip-grad-norm.js';
import { learningRateAt } from '../src/optim/lr-schedule.js';
import { clipMergesText, clipVocabSubset } from '../src/pretrain/clip-vocab-subset.js';
import { contrastiveLoss, contrastiveTargets } from '../src/pretrain/contrastive-loss.js';
import { initClipTensors, shapesClipConfig, shapesClipPreprocessorConfig } from '../src/pretrain/shapes-clip-config.js';
import { loadTrainableClip } from '../src/pretrain/trainable-clip.js';
import { exportWeights } from '../src/pretrain/trainable-weights.js';
import { Rng } from '../src/random/rng.js';
import { generateScene } from '../src/shapes/generate-scene.js';
import { captionScene, shapesVocabulary } from '../src/shapes/scene-captions.js';
import { clipVocabFromBpeText } from '../src/tokenizers/bpe-files.js';
import { ClipTokenizer } from '../src/tokenizers/clip-tokenizer.js';
import { clipTokenize } from '../src/tokenizers/clip-tokenize.js';
import { tfjsBackendModule } from '../../backend-tfjs/src/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const { values: args } = parseArgs({
  options: {
    steps: { type: 'string', default: '500' },
    batch: { type: 'string', default: '32' },
    lr: { type: 'string', default: '0.002' },
    seed: { type: 'string', default: '7' },
    images: { type: 'string', default: '4000' },
    heldout: { type: 'string', default: '300' },
    out: { type: 'string', default: join(here, '../assets/shapes/clip') },
    /**
     * Hard negatives: build each batch from groups of this many images that share their colours and
     * sizes (and differ in kinds, positions, backgrounds). 1 = uniform batches. Colour alone tells
     * most random pairs apart, so uniform batches teach the vision tower almost nothing about kinds.
     */
    'group-size': { type: 'string', default: '1' },
    /** Start from this CLIP folder instead of the random init (with --steps 0: evaluate it). */
    init: { type: 'string' },
  },
});
const steps = Number(args.steps);
const batch = Number(args.batch);
const peakLr = Number(args.lr);
const seed = Number(args.seed);
const CONTEXT = 32;
const IMAGE_SIZE = 64;
/** Patch 16 (17 vision tokens): tfjs-wasm training cost is dominated by the token count. */
const PATCH = 16;
const RENDER_SIZE = 96;

// Tokenizer: the real CLIP merges the shapes words (and a few prompt words) use.
const bpePath = join(here, '../fixtures/vocab/bpe_simple_vocab_16e6.txt.gz');
const full = clipVocabFromBpeText(gunzipSync(readFileSync(bpePath)).toString('utf8'), bpePath);
const words = [...shapesVocabulary(), 'photo', 'picture', 'image', 'of', 'shape', 'shapes', 'there', 'is', 'are', 'in', 'one', 'colour', 'color'];
const subset = clipVocabSubset(full.merges, words);
const tokenizer = new ClipTokenizer({ vocab: Object.entries(subset.vocab), merges: subset.merges });
const config = shapesClipConfig({ vocabSize: tokenizer.vocabSize, imageSize: IMAGE_SIZE, patchSize: PATCH, textLayers: 2, contextLength: CONTEXT });
const preConfigJson = shapesClipPreprocessorConfig(IMAGE_SIZE);
const preConfig = parseClipImageProcessorConfig(preConfigJson);

interface Item {
  readonly pixels: Float32Array; // [3, 64, 64]
  readonly captions: string[];
  readonly ids: number[][]; // [5][CONTEXT]
  /** The scene without its kinds: sorted (colour, size) of its objects. */
  readonly looks: string;
}
async function items(sceneSeed: number, n: number): Promise<Item[]> {
  const out: Item[] = [];
  for (let start = 0; start < n; start += 64) {
    const chunk = await Promise.all(
      Array.from({ length: Math.min(64, n - start) }, async (_, k) => {
        const scene = generateScene(sceneSeed, start + k);
        const captions = captionScene(scene);
        const pixels = clipPreprocess(await renderSceneRgb(scene, RENDER_SIZE), preConfig);
        const looks = scene.objects.map((o) => `${o.color} ${o.size}`).sort().join(',');
        return { pixels, captions, ids: clipTokenize(tokenizer, captions, { contextLength: CONTEXT }), looks };
      }),
    );
    out.push(...chunk);
  }
  return out;
}
const t00 = performance.now();
const train = await items(1000 + seed, Number(args.images));
const heldOut = await items(2000 + seed, Number(args.heldout));
console.log(`rendered ${train.length} + ${heldOut.length} images in ${((performance.now() - t00) / 1000).toFixed(1)} s; CLIP vocabulary ${tokenizer.vocabSize} tokens (${subset.merges.length} merges)`);

const backend = await createBackendRegistry([tfjsBackendModule]).create({ backend: 'tfjs', device: 'wasm' });
const engine = new Engine(backend);
const init = args.init ? await openCheckpoint(args.init) : new SafetensorsBuffer(serializeSafetensors(initClipTensors(config, seed)), 'clip init');
const clip = await loadTrainableClip(engine, init, config);
const params = [...clip.params];
console.log(`tiny CLIP: ${params.reduce((n, p) => n + p.size, 0)} parameters`);
const noDecay = (p: { name: string; shape: readonly number[] }) => p.shape.length < 2 || p.name.includes('embedding');
const opt = new AdamW(engine, params, { lr: peakLr, weightDecay: 0.1, noDecay });
const schedule = { type: 'cosine' as const, warmupSteps: Math.min(80, Math.floor(steps / 10)), minLrRatio: 0.05 };

function pixelsOf(rows: readonly Item[]): Float32Array {
  const plane = 3 * IMAGE_SIZE * IMAGE_SIZE;
  const data = new Float32Array(rows.length * plane);
  rows.forEach((r, i) => data.set(r.pixels, i * plane));
  return data;
}

/** The (colour, kind) pairs a caption names, as a sorted key ("two red circles" → "red circle"). */
function objectsKey(caption: string): string {
  const found = [...caption.matchAll(/\b(red|green|blue|yellow|purple|orange) (circle|square|triangle|star|diamond)s?\b/g)].map((m) => `${m[1]} ${m[2]}`);
  return [...new Set(found)].sort().join('|');
}

/**
 * Held-out image→caption retrieval among every distinct caption of the held-out set: top-1 is
 * right when the retrieved caption is one of the image's five references; `sameObjects` when it
 * names the image's (colour, kind) pairs (size, relation and background words aside).
 */
async function retrieval(model: { image(p: Float32Array, n: number): Promise<Float32Array>; text(ids: number[][]): Promise<Float32Array> }, dim: number) {
  const texts = [...new Set(heldOut.flatMap((h) => h.captions))];
  const textIds = clipTokenize(tokenizer, texts, { contextLength: CONTEXT });
  const tEmb: Float32Array[] = [];
  for (let i = 0; i < texts.length; i += 128) {
    const e = await model.text(textIds.slice(i, i + 128));
    for (let k = 0; k < e.length / dim; k++) tEmb.push(e.subarray(k * dim, (k + 1) * dim));
  }
  let top1 = 0;
  let sameObjects = 0;
  for (let i = 0; i < heldOut.length; i += 64) {
    const rows = heldOut.slice(i, i + 64);
    const e = await model.image(pixelsOf(rows), rows.length);
    rows.forEach((r, k) => {
      const v = e.subarray(k * dim, (k + 1) * dim);
      let best = -Infinity;
      let bestText = '';
      tEmb.forEach((t, j) => {
        let s = 0;
        for (let d = 0; d < dim; d++) s += v[d]! * t[d]!;
        if (s > best) {
          best = s;
          bestText = texts[j]!;
        }
      });
      if (r.captions.includes(bestText)) top1++;
      if (objectsKey(bestText) === objectsKey(r.captions[0]!)) sameObjects++;
    });
  }
  return { top1: top1 / heldOut.length, sameObjects: sameObjects / heldOut.length, candidates: texts.length };
}
const normalize = (x: Float32Array, dim: number) => {
  for (let i = 0; i < x.length; i += dim) {
    let n = 0;
    for (let d = 0; d < dim; d++) n += x[i + d]! ** 2;
    n = Math.sqrt(n);
    for (let d = 0; d < dim; d++) x[i + d]! /= n;
  }
  return x;
};
const P = config.projection_dim;
const trainableModel = {
  image: async (p: Float32Array, n: number) => {
    const emb = engine.tidy(() => clip.vision.forward(engine.tensor(p, [n, 3, IMAGE_SIZE, IMAGE_SIZE])).embeds);
    const out = normalize(Float32Array.from((await engine.read(emb)) as Float32Array), P);
    engine.dispose(emb);
    return out;
  },
  text: async (ids: number[][]) => {
    const emb = engine.tidy(() => clip.text.encode(ids).embeds);
    const out = normalize(Float32Array.from((await engine.read(emb)) as Float32Array), P);
    engine.dispose(emb);
    return out;
  },
};

const json = (x: unknown) => `${JSON.stringify(x, null, 2)}\n`;
/** Writes the Hugging Face folder (also every 250 steps, so a long run is never lost). */
async function saveFolder(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const tensors = await exportWeights(engine, clip.weights, 'F32');
  await writeFile(join(dir, 'model.safetensors'), serializeSafetensors(tensors, { metadata: { format: 'pt' } }));
  await writeFile(join(dir, 'config.json'), json(config));
  await writeFile(join(dir, 'preprocessor_config.json'), json(preConfigJson));
  await writeFile(join(dir, 'vocab.json'), json(subset.vocab));
  await writeFile(join(dir, 'merges.txt'), clipMergesText(subset.merges));
  await writeFile(join(dir, 'tokenizer_config.json'), json({ tokenizer_class: 'CLIPTokenizer', model_max_length: CONTEXT, bos_token: '<|startoftext|>', eos_token: '<|endoftext|>', unk_token: '<|endoftext|>', pad_token: '<|endoftext|>' }));
}

const rng = new Rng(seed);
const groupSize = Number(args['group-size']);
const byLooks = new Map<string, Item[]>();
for (const item of train) byLooks.set(item.looks, [...(byLooks.get(item.looks) ?? []), item]);
/** `batch` training items: uniform, or groups of `groupSize` items with the same looks. */
function sampleBatch(): Item[] {
  if (groupSize <= 1) return Array.from({ length: batch }, () => train[rng.int(train.length)]!);
  const rows: Item[] = [];
  while (rows.length < batch) {
    const group = byLooks.get(train[rng.int(train.length)]!.looks)!;
    for (let k = 0; k < groupSize && rows.length < batch; k++) rows.push(group[rng.int(group.length)]!);
  }
  return rows;
}
const t0 = performance.now();
for (let step = 0; step < steps; step++) {
  const rows = sampleBatch();
  const pick = rows.map((r) => rng.int(r.captions.length));
  const texts = rows.map((r, i) => r.captions[pick[i]!]!);
  const ids = rows.map((r, i) => r.ids[pick[i]!]!);
  const targets = contrastiveTargets(rows.map((r) => texts.map((t) => r.captions.includes(t))));
  const pixels = pixelsOf(rows);
  const pool = clipPoolIndices(ids, clip.config.text.eosTokenId);
  const { value, grads } = engine.valueAndGrads(() => {
    const img = clip.vision.forward(engine.tensor(pixels, [batch, 3, IMAGE_SIZE, IMAGE_SIZE])).embeds; // [B, P]
    const txt = clip.text.forward(engine.tensor(Int32Array.from(ids.flat()), [batch, CONTEXT], 'int32'), pool).embeds; // [B, P]
    return contrastiveLoss(engine, img, txt, clip.logitScale, targets);
  }, params);
  const clipped = clipGradNorm(engine, grads, 1.0);
  opt.update(clipped.grads, learningRateAt(schedule, peakLr, step, steps));
  if (step % 50 === 0 || step === steps - 1) {
    const loss = await engine.readScalar(value);
    const s = (performance.now() - t0) / 1000;
    const scale = Math.exp(await engine.readScalar(clip.logitScale));
    console.log(`step ${step + 1}/${steps}: loss ${loss.toFixed(3)} scale ${scale.toFixed(1)} (${s.toFixed(0)} s, ${((1000 * s) / (step + 1)).toFixed(0)} ms/step)`);
  }
  if ((step + 1) % 250 === 0 && step + 1 < steps) {
    const r = await retrieval(trainableModel, P);
    console.log(`  held-out image→caption top-1: ${(100 * r.top1).toFixed(1)}% of ${heldOut.length} (${r.candidates} candidate captions); names the right shapes: ${(100 * r.sameObjects).toFixed(1)}%`);
    await saveFolder(`${args.out!}.step${step + 1}`);
  }
  engine.dispose([value, ...grads, ...clipped.grads, clipped.norm]);
}
console.log(`trained ${steps} steps in ${((performance.now() - t0) / 1000).toFixed(0)} s`);

const out = args.out!;
await saveFolder(out);

// Check the written folder with the inference loaders.
const source = await openCheckpoint(out);
const loaded = await ClipModel.load(engine, source, JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')), { where: out });
await source.close();
const folderTok = loadTokenizer(out);
if (JSON.stringify(folderTok.encode(heldOut[0]!.captions[0]!)) !== JSON.stringify(tokenizer.encode(heldOut[0]!.captions[0]!))) {
  throw new Error('the written tokenizer files tokenize differently');
}
const loadedModel = {
  image: async (p: Float32Array, n: number) => {
    const emb = engine.tidy(() => loaded.encodeImages(engine.tensor(p, [n, 3, IMAGE_SIZE, IMAGE_SIZE])).embeds);
    const o = normalize(Float32Array.from((await engine.read(emb)) as Float32Array), P);
    engine.dispose(emb);
    return o;
  },
  text: async (ids: number[][]) => {
    const emb = engine.tidy(() => loaded.encodeTexts(ids).embeds);
    const o = normalize(Float32Array.from((await engine.read(emb)) as Float32Array), P);
    engine.dispose(emb);
    return o;
  },
};
const r = await retrieval(loadedModel, P);
console.log(`final held-out image→caption top-1 (reloaded folder): ${(100 * r.top1).toFixed(1)}% of ${heldOut.length} images, ${r.candidates} candidate captions; names the right shapes: ${(100 * r.sameObjects).toFixed(1)}%`);
console.log(`wrote ${out}`);
