/**
 * Can the shapes world's tiny ViT learn what a contrastive CLIP needs from it? Trains the vision
 * tower of a freshly initialised tiny CLIP (the config `pretrain-shapes-clip.ts` writes) plus a
 * linear head with plain cross-entropy on the kind (or the colour) of single-object scenes, and
 * prints held-out accuracy every 50 steps. A check of the architecture and the learning rate apart
 * from the contrastive objective. Measured (packages/core/assets/shapes/README.md): the colour is
 * learned within 150 steps; the kind only after a plateau — at patch 16 not within 2,000 steps
 * (~37% after 5,000), at patch 8 from ~1,000 steps on, about twice as fast again with the mimetic
 * attention init (--mimetic 0.7), which pretrain-shapes-clip.ts's vision warm-up now uses.
 *
 *   npx tsx packages/core/scripts/shapes-vit-kind-check.ts [--lr 0.0005] [--steps 300] [--target kind|colour] [--patch 16] [--width 64] [--train 1000] [--pool cls|mean] [--mimetic 0]
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createBackendRegistry } from '../src/backend/backend-container.js';
import { parseClipImageProcessorConfig } from '../src/checkpoint/clip-image-processor-config.js';
import { SafetensorsBuffer } from '../src/checkpoint/safetensors-buffer.js';
import { serializeSafetensors } from '../src/checkpoint/safetensors-serialize.js';
import { Engine } from '../src/engine/engine.js';
import { clipPreprocess } from '../src/images/clip-preprocess.js';
import { renderSceneRgb } from '../src/node/shapes-render.js';
import { AdamW } from '../src/optim/adamw.js';
import { initClipTensors, shapesClipConfig, shapesClipPreprocessorConfig } from '../src/pretrain/shapes-clip-config.js';
import { mimeticAttentionInit } from '../src/pretrain/mimetic-init.js';
import { loadTrainableClip } from '../src/pretrain/trainable-clip.js';
import { exportWeights } from '../src/pretrain/trainable-weights.js';
import { Rng } from '../src/random/rng.js';
import { generateScene } from '../src/shapes/generate-scene.js';
import { SHAPE_COLORS, SHAPE_KINDS } from '../src/shapes/shape-scene.js';
import { tfjsBackendModule } from '../../backend-tfjs/src/index.js';

const { values: args } = parseArgs({
  options: {
    lr: { type: 'string', default: '0.0005' },
    steps: { type: 'string', default: '300' },
    target: { type: 'string', default: 'kind' },
    patch: { type: 'string', default: '16' },
    /** Seeds of the CLIP init, the head init and the batch order. */
    seed: { type: 'string', default: '3' },
    'head-seed': { type: 'string', default: '1' },
    'batch-seed': { type: 'string', default: '2' },
    /**
     * Write the whole CLIP (this vision tower, the text tower still at its random init) as
     * DIR/model.safetensors: a supervised warm start for `pretrain-shapes-clip.ts --init DIR`.
     */
    save: { type: 'string' },
    /** Training scenes (single-object); 200 more are held out. */
    train: { type: 'string', default: '1000' },
    width: { type: 'string', default: '64' },
    /** What the head reads: the projected class token (CLIP's pooling) or the mean of all post-LN tokens. */
    pool: { type: 'string', default: 'cls' },
    /** Mimetic attention init of the vision tower (α = β of W_qᵀ·W_k; 0 = transformers' init). */
    mimetic: { type: 'string', default: '0' },
  },
});
if (args.pool !== 'cls' && args.pool !== 'mean') throw new Error(`--pool must be cls or mean, got ${args.pool}`);
if (args.target !== 'kind' && args.target !== 'colour') throw new Error(`--target must be kind or colour, got ${args.target}`);
const classes: readonly string[] = args.target === 'kind' ? SHAPE_KINDS : SHAPE_COLORS;
const lr = Number(args.lr);
const steps = Number(args.steps);
const SIZE = 64;
const B = 32;

// Training and 200 held-out single-object scenes (scene seed 4000).
const pre = parseClipImageProcessorConfig(shapesClipPreprocessorConfig(SIZE));
const items: { pixels: Float32Array; label: number }[] = [];
const nTrain = Number(args.train);
for (let i = 0; items.length < nTrain + 200; i++) {
  const s = generateScene(4000, i);
  if (s.objects.length !== 1) continue;
  const o = s.objects[0]!;
  items.push({ pixels: clipPreprocess(await renderSceneRgb(s, 96), pre), label: classes.indexOf(args.target === 'kind' ? o.kind : o.color) });
}
const train = items.slice(0, nTrain);
const test = items.slice(nTrain);

const config = shapesClipConfig({ vocabSize: 655, imageSize: SIZE, patchSize: Number(args.patch), width: Number(args.width), textLayers: 2, contextLength: 32 });
const backend = await createBackendRegistry([tfjsBackendModule]).create({ backend: 'tfjs', device: 'wasm' });
const e = new Engine(backend);
const seed = Number(args.seed);
const tensors = initClipTensors(config, seed);
if (Number(args.mimetic) > 0) mimeticAttentionInit(tensors, 'vision_model', config.vision_config.num_hidden_layers, new Rng(seed + 1), { qk: Number(args.mimetic) });
const clip = await loadTrainableClip(e, new SafetensorsBuffer(serializeSafetensors(tensors), 'init'), config);
const P = args.pool === 'cls' ? config.projection_dim : config.vision_config.hidden_size;
/** The head's input [N, P]: CLIP's image embedding, or the mean post-LN token. */
const features = (pixels: Float32Array, n: number) => {
  const out = clip.vision.forward(e.tensor(pixels, [n, 3, SIZE, SIZE]));
  return args.pool === 'cls' ? out.embeds : e.div(e.sum(out.tokensPostLn, [1]), out.tokensPostLn.shape[1]!);
};
const head = e.variable(e.tensor(new Rng(Number(args['head-seed'])).normalArray(P * classes.length).map((x) => x * 0.1), [P, classes.length]), { name: 'head' });
const params = [...clip.params.filter((p) => p.name.startsWith('vision_model') || p.name.startsWith('visual_projection')), head];
const opt = new AdamW(e, params, { lr, weightDecay: 0.1 });
const rng = new Rng(Number(args['batch-seed']));
const pixelsOf = (rows: readonly { pixels: Float32Array }[]) => {
  const d = new Float32Array(rows.length * 3 * SIZE * SIZE);
  rows.forEach((r, i) => d.set(r.pixels, i * 3 * SIZE * SIZE));
  return d;
};
for (let step = 0; step < steps; step++) {
  const rows = Array.from({ length: B }, () => train[rng.int(train.length)]!);
  const labels = Int32Array.from(rows.map((r) => r.label));
  const { value, grads } = e.valueAndGrads(() => {
    const emb = features(pixelsOf(rows), B); // [B, P]
    return e.div(e.sum(e.softmaxCrossEntropy(e.matmul(emb, head), e.tensor(labels, [B], 'int32'))), B); // []
  }, params);
  opt.update(grads, lr);
  if ((step + 1) % 50 === 0 || step + 1 === steps) {
    const loss = await e.readScalar(value);
    const logits = e.tidy(() => e.matmul(features(pixelsOf(test), test.length), head)); // [N, K]
    const l = (await e.read(logits)) as Float32Array;
    e.dispose(logits);
    const K = classes.length;
    const hits = test.filter((t, i) => {
      let best = 0;
      for (let k = 1; k < K; k++) if (l[i * K + k]! > l[i * K + best]!) best = k;
      return best === t.label;
    }).length;
    console.log(`step ${step + 1}/${steps}: training loss ${loss.toFixed(3)} (chance ${Math.log(K).toFixed(3)}), held-out ${args.target} accuracy ${((100 * hits) / test.length).toFixed(1)}%`);
  }
  e.dispose([value, ...grads]);
}
if (args.save) {
  await mkdir(args.save, { recursive: true });
  await writeFile(join(args.save, 'model.safetensors'), serializeSafetensors(await exportWeights(e, clip.weights, 'F32'), { metadata: { format: 'pt' } }));
  console.log(`wrote ${join(args.save, 'model.safetensors')}`);
}
