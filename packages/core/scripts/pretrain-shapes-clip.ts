/**
 * Pretrains the shapes world's tiny CLIP (CLIPModel layout; ViT 64 px / patch 8 / width 64 /
 * 3 layers, text width 64 / 2 layers / context 32, a reduced real-CLIP BPE vocabulary), then writes
 * packages/core/assets/shapes/clip/ (config.json, model.safetensors F32, preprocessor_config.json,
 * vocab.json, merges.txt, tokenizer_config.json) and reports held-out retrieval and kind accuracy.
 * Two stages (see packages/core/assets/shapes/README.md for why):
 *   1. vision warm-up: the vision tower (mimetic attention init) and a linear head learn the
 *      (colour, kind) of single-object scenes with cross-entropy (--vision-warmup-steps);
 *   2. the symmetric contrastive loss on scenes and their captions, plus the auxiliary objects loss
 *      (the same head predicting each scene's (colour, kind) pairs; --aux-weight).
 *
 *   npx tsx packages/core/scripts/pretrain-shapes-clip.ts [--vision-warmup-steps 1500] [--steps 500] [--batch 32] [--images 4000]
 *     [--seed 7] [--out DIR] [--init DIR] [--lr 0.001] [--patch 8] [--mimetic 0.7] [--aux-weight 1]
 *     [--group-size 1] [--kind-negatives 0] [--lock-text-steps 0]
 *
 * Images: scenes of seed 1000 + seed rendered at 96 px, through CLIP preprocessing (PIL bicubic
 * 96 → 64); warm-up scenes: seed 4000 + seed. Held-out: scenes of seed 2000 + seed (retrieval) and
 * single-object scenes of seed 3000 + seed (kind probes). Runs on @captune/backend-tfjs (wasm).
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
import { choleskyInPlace, choleskySolveInPlace } from '../src/alignment/cholesky.js';
import { naiveNormalEquations } from '../src/alignment/naive-least-squares.js';
import { AdamW } from '../src/optim/adamw.js';
import { clipGradNorm } from '../src/optim/clip-grad-norm.js';
import { learningRateAt } from '../src/optim/lr-schedule.js';
import { clipMergesText, clipVocabSubset } from '../src/pretrain/clip-vocab-subset.js';
import { contrastiveLoss, contrastiveTargets } from '../src/pretrain/contrastive-loss.js';
import { initClipTensors, shapesClipConfig, shapesClipPreprocessorConfig } from '../src/pretrain/shapes-clip-config.js';
import { mimeticAttentionInit } from '../src/pretrain/mimetic-init.js';
import { loadTrainableClip } from '../src/pretrain/trainable-clip.js';
import { exportWeights } from '../src/pretrain/trainable-weights.js';
import { Rng } from '../src/random/rng.js';
import { generateScene } from '../src/shapes/generate-scene.js';
import { SHAPE_COLORS, SHAPE_KINDS, type ShapeObject } from '../src/shapes/shape-scene.js';
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
    lr: { type: 'string', default: '0.001' },
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
    /**
     * Hard-negative captions per image (NegCLIP): the image's caption with one kind word swapped
     * for another kind. They join the image→text softmax, so telling kinds apart always pays.
     */
    'kind-negatives': { type: 'string', default: '0' },
    /**
     * Locked text tower for the first N steps: only the vision tower (and the temperature) learn,
     * towards the fixed, randomly initialised caption embeddings (LiT with the towers swapped).
     * A caption's kind word moves its random embedding as much as its colour word does, so the
     * vision tower must learn kinds too; when both towers learn from the start, the text tower
     * drops the kind words before the vision tower has kind features (a saddle: each side's
     * gradient towards separating kinds is proportional to the other side's separation).
     */
    'lock-text-steps': { type: 'string', default: '0' },
    /** ViT patch size at 64 px: 8 (65 tokens) or 16 (17 tokens, a quarter of the cost per step, but kinds are not learned). */
    patch: { type: 'string', default: '8' },
    /**
     * Mimetic attention init of the vision tower (Trockman & Kolter 2023; src/pretrain/mimetic-init.ts):
     * α = β of W_qᵀ·W_k (0.7; 0 = transformers' plain init). Half the steps to kind-aware features.
     */
    mimetic: { type: 'string', default: '0.7' },
    /**
     * Weight of the auxiliary objects loss: a linear head on the image embedding predicts which
     * (colour, kind) pairs the scene holds (30-way softmax against the uniform distribution over
     * the scene's pairs). It gives the vision tower a direct kind signal while the contrastive loss
     * has none to give (both towers start kind-blind); the head is not part of the checkpoint.
     */
    'aux-weight': { type: 'string', default: '1' },
    /**
     * Supervised vision warm-up before the contrastive steps: the vision tower and the objects
     * head learn the (colour, kind) of single-object scenes (seed 4000 + seed; 30-way cross-entropy)
     * for this many steps. A tiny ViT learns colours in ~150 steps but kinds only after a plateau of
     * ~1,000 steps; contrastive training alone never leaves it (the text tower drops the kind words
     * first). LiT-style: the text tower then learns to read the kind-aware image embeddings.
     */
    'vision-warmup-steps': { type: 'string', default: '1500' },
    'vision-warmup-images': { type: 'string', default: '6000' },
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
/** Patch 16 (17 vision tokens) by default: tfjs-wasm training cost is dominated by the token count. */
const PATCH = Number(args.patch);
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

/** The auxiliary head's class of an object: colour · 5 + kind (30 classes). */
const pairIndex = (o: ShapeObject) => SHAPE_COLORS.indexOf(o.color) * SHAPE_KINDS.length + SHAPE_KINDS.indexOf(o.kind);
/** The first `n` single-object scenes of scene seed `sceneSeed`, with their preprocessed pixels [3, 64, 64]. */
async function singleObjectScenes(sceneSeed: number, n: number): Promise<{ object: ShapeObject; pixels: Float32Array }[]> {
  const out: { object: ShapeObject; pixels: Float32Array }[] = [];
  for (let index = 0; out.length < n; index++) {
    const scene = generateScene(sceneSeed, index);
    if (scene.objects.length === 1) out.push({ object: scene.objects[0]!, pixels: clipPreprocess(await renderSceneRgb(scene, RENDER_SIZE), preConfig) });
  }
  return out;
}

interface Item {
  readonly pixels: Float32Array; // [3, 64, 64]
  readonly captions: string[];
  readonly ids: number[][]; // [5][CONTEXT]
  /** The scene without its kinds: sorted (colour, size) of its objects. */
  readonly looks: string;
  /** The (colour, kind) pairs in the scene, as indices colour · 5 + kind (the auxiliary head's classes). */
  readonly pairs: number[];
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
        const pairs = [...new Set(scene.objects.map(pairIndex))];
        return { pixels, captions, ids: clipTokenize(tokenizer, captions, { contextLength: CONTEXT }), looks, pairs };
      }),
    );
    out.push(...chunk);
  }
  return out;
}
const t00 = performance.now();
const train = await items(1000 + seed, Number(args.images));
const heldOut = await items(2000 + seed, Number(args.heldout));
/** Single-object scenes (seed 3000 + seed) for the kind probes. */
interface ProbeItem {
  readonly pixels: Float32Array;
  readonly kind: number;
  readonly texts: string[]; // the 5 kinds, in the scene's own size and colour
}
const probeItems: ProbeItem[] = (await singleObjectScenes(3000 + seed, 600)).map(({ object: o, pixels }) => ({
  pixels,
  kind: SHAPE_KINDS.indexOf(o.kind),
  texts: SHAPE_KINDS.map((k) => `a ${o.size} ${o.color} ${k}`),
}));
console.log(`rendered ${train.length} + ${heldOut.length} images in ${((performance.now() - t00) / 1000).toFixed(1)} s; CLIP vocabulary ${tokenizer.vocabSize} tokens (${subset.merges.length} merges)`);

const backend = await createBackendRegistry([tfjsBackendModule]).create({ backend: 'tfjs', device: 'wasm' });
const engine = new Engine(backend);
function randomInit(): SafetensorsBuffer {
  const tensors = initClipTensors(config, seed);
  const mimetic = Number(args.mimetic);
  if (mimetic > 0) mimeticAttentionInit(tensors, 'vision_model', config.vision_config.num_hidden_layers, new Rng(seed + 1), { qk: mimetic });
  return new SafetensorsBuffer(serializeSafetensors(tensors), 'clip init');
}
const init = args.init ? await openCheckpoint(args.init) : randomInit();
const clip = await loadTrainableClip(engine, init, config);
const auxWeight = Number(args['aux-weight']);
const PAIRS = SHAPE_COLORS.length * SHAPE_KINDS.length;
/** The auxiliary objects head [P, 30] (not saved). */
const auxHead = engine.variable(engine.tensor(new Rng(seed + 2).normalArray(config.projection_dim * PAIRS, 0.1), [config.projection_dim, PAIRS]), { name: 'aux_objects_head' });
const params = auxWeight > 0 ? [...clip.params, auxHead] : [...clip.params];
console.log(`tiny CLIP: ${params.reduce((n, p) => n + p.size, 0)} parameters`);
const noDecay = (p: { name: string; shape: readonly number[] }) => p.shape.length < 2 || p.name.includes('embedding');
const opt = new AdamW(engine, params, { lr: peakLr, weightDecay: 0.1, noDecay });
const lockTextSteps = Number(args['lock-text-steps']);
const isText = (p: { name: string }) => p.name.startsWith('text_model') || p.name.startsWith('text_projection');
const lockedParams = params.filter((p) => !isText(p));
const lockedOpt = lockTextSteps > 0 ? new AdamW(engine, lockedParams, { lr: peakLr, weightDecay: 0.1, noDecay }) : null;
const schedule = { type: 'cosine' as const, warmupSteps: Math.min(80, Math.floor(steps / 10)), minLrRatio: 0.05 };

function pixelsOf(rows: readonly { readonly pixels: Float32Array }[]): Float32Array {
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

/** The index of the largest of score(0 … n−1). */
function argmax(n: number, score: (q: number) => number): number {
  let best = 0;
  for (let q = 1; q < n; q++) if (score(q) > score(best)) best = q;
  return best;
}
/**
 * How much the vision tower knows about kinds, on single-object held-out scenes: a ridge probe
 * (z-scored class token and mean token, trained on the first 400, tested on the last 200), and
 * zero-shot — the image embedding against "a {size} {colour} {kind}" for the 5 kinds.
 */
async function kindProbes(): Promise<{ probe: number; zeroShot: number }> {
  const feats: Float64Array[] = [];
  let zeroHits = 0;
  for (let i = 0; i < probeItems.length; i += 50) {
    const rows = probeItems.slice(i, i + 50);
    const n = rows.length;
    const [tokens, embeds] = engine.tidy(() => {
      const out = clip.vision.forward(engine.tensor(pixelsOf(rows), [n, 3, IMAGE_SIZE, IMAGE_SIZE]));
      return [out.tokensPostLn, out.embeds];
    });
    const t = (await engine.read(tokens!)) as Float32Array; // [n, T, C]
    const e = normalize(Float32Array.from((await engine.read(embeds!)) as Float32Array), P);
    engine.dispose([tokens!, embeds!]);
    const T = t.length / (n * WIDTH);
    const txt = await trainableModel.text(clipTokenize(tokenizer, rows.flatMap((r) => r.texts), { contextLength: CONTEXT }));
    rows.forEach((r, k) => {
      const f = new Float64Array(2 * WIDTH);
      for (let c = 0; c < WIDTH; c++) {
        f[c] = t[(k * T) * WIDTH + c]!;
        let m = 0;
        for (let j = 1; j < T; j++) m += t[(k * T + j) * WIDTH + c]!;
        f[WIDTH + c] = m / (T - 1);
      }
      feats.push(f);
      const best = argmax(SHAPE_KINDS.length, (q) => {
        let dot = 0;
        for (let d = 0; d < P; d++) dot += e[k * P + d]! * txt[(k * SHAPE_KINDS.length + q) * P + d]!;
        return dot;
      });
      if (best === r.kind) zeroHits++;
    });
  }
  const D = 2 * WIDTH;
  const nTrain = 400;
  const mean = new Float64Array(D);
  const sd = new Float64Array(D);
  for (let i = 0; i < nTrain; i++) for (let d = 0; d < D; d++) mean[d] += feats[i]![d]! / nTrain;
  for (let i = 0; i < nTrain; i++) for (let d = 0; d < D; d++) sd[d] += (feats[i]![d]! - mean[d]!) ** 2 / nTrain;
  const z = (f: Float64Array) => Float64Array.from(f, (v, d) => (v - mean[d]!) / Math.sqrt(sd[d]! + 1e-8));
  // Ridge (λ = 10) on [z-scored features, 1] → one-hot kind, by Cholesky in float64.
  const K = SHAPE_KINDS.length;
  const withBias = (f: Float64Array) => [...z(f), 1];
  const x = Float64Array.from(feats.slice(0, nTrain).flatMap(withBias)); // [nTrain, D+1]
  const y = new Float64Array(nTrain * K); // [nTrain, K]
  for (let i = 0; i < nTrain; i++) y[i * K + probeItems[i]!.kind] = 1;
  const { a, b: w } = naiveNormalEquations(x, y, nTrain, D + 1, K);
  for (let i = 0; i <= D; i++) a[i * (D + 1) + i]! += 10;
  if (!choleskyInPlace(a, D + 1)) throw new Error('kind probe: the ridge system is not positive definite');
  choleskySolveInPlace(a, D + 1, w, K); // w [D+1, K]
  let hits = 0;
  for (let i = nTrain; i < feats.length; i++) {
    const row = withBias(feats[i]!);
    const best = argmax(K, (q) => row.reduce((acc, v, j) => acc + v * w[j * K + q]!, 0));
    if (best === probeItems[i]!.kind) hits++;
  }
  return { probe: hits / (feats.length - nTrain), zeroShot: zeroHits / feats.length };
}
const WIDTH = config.vision_config.hidden_size;

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
const kindNegatives = Number(args['kind-negatives']);
const KIND_WORD = new RegExp(`\\b(${SHAPE_KINDS.join('|')})(s?)\\b`, 'g');
/** `caption` with one of its kind words (chosen at random) replaced by another kind. */
function swapKind(caption: string): string {
  const hits = [...caption.matchAll(KIND_WORD)];
  const hit = hits[rng.int(hits.length)]!;
  const others = SHAPE_KINDS.filter((k) => k !== hit[1]);
  const word = `${others[rng.int(others.length)]!}${hit[2]!}`;
  return caption.slice(0, hit.index) + word + caption.slice(hit.index + hit[0].length);
}
// Stage 1: supervised vision warm-up on single-object scenes.
const warmupSteps = Number(args['vision-warmup-steps']);
if (warmupSteps > 0) {
  const tw = performance.now();
  const singles = (await singleObjectScenes(4000 + seed, Number(args['vision-warmup-images']))).map(({ object, pixels }) => ({ pixels, pair: pairIndex(object) }));
  console.log(`vision warm-up: ${singles.length} single-object scenes rendered in ${((performance.now() - tw) / 1000).toFixed(1)} s`);
  const visionParams = [...clip.params.filter((p) => !isText(p) && p !== clip.logitScale), auxHead];
  const warmOpt = new AdamW(engine, visionParams, { lr: peakLr, weightDecay: 0.1, noDecay });
  const warmSchedule = { type: 'cosine' as const, warmupSteps: Math.min(300, Math.floor(warmupSteps / 5)), minLrRatio: 0.3 };
  const wrng = new Rng(seed + 3);
  const t1 = performance.now();
  for (let step = 0; step < warmupSteps; step++) {
    const rows = Array.from({ length: batch }, () => singles[wrng.int(singles.length)]!);
    const labels = Int32Array.from(rows.map((r) => r.pair));
    const { value, grads } = engine.valueAndGrads(() => {
      const img = clip.vision.forward(engine.tensor(pixelsOf(rows), [batch, 3, IMAGE_SIZE, IMAGE_SIZE])).embeds; // [B, P]
      return engine.div(engine.sum(engine.softmaxCrossEntropy(engine.matmul(img, auxHead), engine.tensor(labels, [batch], 'int32'))), batch); // []
    }, visionParams);
    const clipped = clipGradNorm(engine, grads, 1.0);
    warmOpt.update(clipped.grads, learningRateAt(warmSchedule, peakLr, step, warmupSteps));
    if ((step + 1) % 250 === 0 || step + 1 === warmupSteps) {
      const loss = await engine.readScalar(value);
      const k = await kindProbes();
      const s = (performance.now() - t1) / 1000;
      console.log(`vision warm-up step ${step + 1}/${warmupSteps}: loss ${loss.toFixed(3)}; kind probe ${(100 * k.probe).toFixed(1)}% (${s.toFixed(0)} s, ${((1000 * s) / (step + 1)).toFixed(0)} ms/step)`);
    }
    engine.dispose([value, ...grads, ...clipped.grads, clipped.norm]);
  }
}

const t0 = performance.now();
for (let step = 0; step < steps; step++) {
  const rows = sampleBatch();
  const pick = rows.map((r) => rng.int(r.captions.length));
  const paired = rows.map((r, i) => r.captions[pick[i]!]!);
  const negatives = Array.from({ length: kindNegatives }, () => paired.map(swapKind)).flat();
  const texts = [...paired, ...negatives];
  const ids = [...rows.map((r, i) => r.ids[pick[i]!]!), ...clipTokenize(tokenizer, negatives, { contextLength: CONTEXT })];
  const targets = contrastiveTargets(rows.map((r) => texts.map((t) => r.captions.includes(t))));
  const pixels = pixelsOf(rows);
  const pool = clipPoolIndices(ids, clip.config.text.eosTokenId);
  // The auxiliary head's targets: uniform over each scene's (colour, kind) pairs.
  const pairTargets = new Float32Array(batch * PAIRS); // [B, 30]
  rows.forEach((r, i) => r.pairs.forEach((q) => (pairTargets[i * PAIRS + q] = 1 / r.pairs.length)));
  const { value, grads } = engine.valueAndGrads(() => {
    const img = clip.vision.forward(engine.tensor(pixels, [batch, 3, IMAGE_SIZE, IMAGE_SIZE])).embeds; // [B, P]
    const txt = clip.text.forward(engine.tensor(Int32Array.from(ids.flat()), [ids.length, CONTEXT], 'int32'), pool).embeds; // [T, P]
    const contrastive = contrastiveLoss(engine, img, txt, clip.logitScale, targets); // []
    if (auxWeight <= 0) return contrastive;
    const logProbs = engine.logSoftmax(engine.matmul(img, auxHead)); // [B, 30]
    const aux = engine.div(engine.neg(engine.sum(engine.mul(logProbs, engine.tensor(pairTargets, [batch, PAIRS])))), batch); // []
    return engine.add(contrastive, engine.mul(aux, auxWeight));
  }, step < lockTextSteps ? lockedParams : params);
  const clipped = clipGradNorm(engine, grads, 1.0);
  (step < lockTextSteps ? lockedOpt! : opt).update(clipped.grads, learningRateAt(schedule, peakLr, step, steps));
  if (step % 50 === 0 || step === steps - 1) {
    const loss = await engine.readScalar(value);
    const s = (performance.now() - t0) / 1000;
    const scale = Math.exp(await engine.readScalar(clip.logitScale));
    console.log(`step ${step + 1}/${steps}: loss ${loss.toFixed(3)} scale ${scale.toFixed(1)} (${s.toFixed(0)} s, ${((1000 * s) / (step + 1)).toFixed(0)} ms/step)`);
  }
  if ((step + 1) % 250 === 0 && step + 1 < steps) {
    const r = await retrieval(trainableModel, P);
    const k = await kindProbes();
    console.log(`  held-out image→caption top-1: ${(100 * r.top1).toFixed(1)}% of ${heldOut.length} (${r.candidates} candidate captions); names the right shapes: ${(100 * r.sameObjects).toFixed(1)}%; kind probe ${(100 * k.probe).toFixed(1)}%, zero-shot kind ${(100 * k.zeroShot).toFixed(1)}%`);
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
const kFinal = await kindProbes();
console.log(`kind on single-object held-out scenes: ridge probe ${(100 * kFinal.probe).toFixed(1)}%, zero-shot ${(100 * kFinal.zeroShot).toFixed(1)}% (chance 20%)`);
console.log(`final held-out image→caption top-1 (reloaded folder): ${(100 * r.top1).toFixed(1)}% of ${heldOut.length} images, ${r.candidates} candidate captions; names the right shapes: ${(100 * r.sameObjects).toFixed(1)}%`);
console.log(`wrote ${out}`);
