/**
 * Proof that the shapes world works end to end (a script, not a test): frozen shapes CLIP →
 * vision tokens; frozen shapes GPT-2; a small I-Tuning adapter (`ITuningAdapter` +
 * `captionLoss` + `AdamW`) trained on the features; greedy / beam decoding of held-out images
 * (`DecodeSession`), scored with CIDEr-D / BLEU-4 against the five references, and by whether
 * the caption names exactly the scene's (colour, kind) pairs. Baseline: the same frozen GPT-2
 * without the adapter (one caption for every image).
 *
 *   npx tsx packages/core/scripts/pretrain-shapes-ituning-check.ts [--steps 300] [--batch 16] [--train 1000] [--test 100] [--negatives K]
 *
 * `--negatives K` trains with a sampled softmax (the batch's tokens + K uniform negatives, log-Q
 * corrected) instead of the full 50,257-way one.
 *
 * Uses packages/core/assets/shapes/{clip,gpt2} (override with --clip / --gpt2). Seeded.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createBackendRegistry } from '../src/backend/backend-container.js';
import { captionLoss } from '../src/adapters/caption-loss.js';
import { ITuningAdapter } from '../src/adapters/ituning-adapter.js';
import { parseClipImageProcessorConfig } from '../src/checkpoint/clip-image-processor-config.js';
import { BeamSearch } from '../src/decoding/beam-search.js';
import { DecodeSession } from '../src/decoding/decode-session.js';
import { DecodeOptionsSchema } from '../src/decoding/decoder-search.js';
import { GreedySearch } from '../src/decoding/greedy-search.js';
import { Engine } from '../src/engine/engine.js';
import { clipPreprocess } from '../src/images/clip-preprocess.js';
import { ClipModel } from '../src/models/clip/clip-model.js';
import { loadLanguageDecoderFolder } from '../src/models/load-language-decoder-folder.js';
import { openCheckpoint } from '../src/node/checkpoint-folder.js';
import { shapesClipDir, shapesGpt2Dir } from '../src/node/shapes-assets.js';
import { renderSceneRgb } from '../src/node/shapes-render.js';
import { loadTokenizer } from '../src/node/tokenizer-folder.js';
import { AdamW } from '../src/optim/adamw.js';
import { learningRateAt } from '../src/optim/lr-schedule.js';
import { Rng } from '../src/random/rng.js';
import { generateScene } from '../src/shapes/generate-scene.js';
import { captionScene } from '../src/shapes/scene-captions.js';
import type { ShapeScene } from '../src/shapes/shape-scene.js';
import { shapesCaptionMatch } from '../src/pipelines/shapes-caption-check.js';
import { tfjsBackendModule } from '../../backend-tfjs/src/index.js';
import { score } from '../../metrics/src/index.js';

const { values: args } = parseArgs({
  options: {
    steps: { type: 'string', default: '300' },
    batch: { type: 'string', default: '16' },
    lr: { type: 'string', default: '0.003' },
    bottleneck: { type: 'string', default: '32' },
    train: { type: 'string', default: '1000' },
    test: { type: 'string', default: '100' },
    seed: { type: 'string', default: '0' },
    negatives: { type: 'string', default: '0' },
    clip: { type: 'string', default: shapesClipDir() },
    gpt2: { type: 'string', default: shapesGpt2Dir() },
  },
});
const steps = Number(args.steps);
const batch = Number(args.batch);
const peakLr = Number(args.lr);
const seed = Number(args.seed);
const nTrain = Number(args.train);
const nTest = Number(args.test);
const negatives = Number(args.negatives);

const backend = await createBackendRegistry([tfjsBackendModule]).create({
  backend: 'tfjs',
  device: 'wasm',
});
const e = new Engine(backend);
const clipDir = args.clip!;
const clipConfig = JSON.parse(readFileSync(join(clipDir, 'config.json'), 'utf8')) as unknown;
const pre = parseClipImageProcessorConfig(
  JSON.parse(readFileSync(join(clipDir, 'preprocessor_config.json'), 'utf8')),
);
const source = await openCheckpoint(clipDir);
const clip = await ClipModel.load(e, source, clipConfig, { towers: 'vision', where: clipDir });
await source.close();
const lm = await loadLanguageDecoderFolder(e, args.gpt2!);
const tok = loadTokenizer(args.gpt2!);
const S = clip.config.vision.imageSize;

// Scenes: train from scene seed `seed`, test from a disjoint index range of the same set.
interface Item {
  readonly scene: ShapeScene;
  readonly captions: string[];
  readonly tokens: Float32Array; // [N, Cv] tokensPostLn
}
const t0 = performance.now();
async function extract(first: number, n: number): Promise<Item[]> {
  const out: Item[] = [];
  for (let start = 0; start < n; start += 32) {
    const scenes = Array.from({ length: Math.min(32, n - start) }, (_, k) =>
      generateScene(seed, first + start + k),
    );
    const px = await Promise.all(
      scenes.map(async (s) => clipPreprocess(await renderSceneRgb(s, 96), pre)),
    );
    const data = new Float32Array(scenes.length * 3 * S * S);
    px.forEach((p, i) => data.set(p, i * 3 * S * S));
    const feats = e.tidy(
      () => clip.encodeImages(e.tensor(data, [scenes.length, 3, S, S])).tokensPostLn,
    ); // [b, N, Cv]
    const host = (await e.read(feats)) as Float32Array;
    e.dispose(feats);
    const per = host.length / scenes.length;
    scenes.forEach((s, i) =>
      out.push({ scene: s, captions: captionScene(s), tokens: host.slice(i * per, (i + 1) * per) }),
    );
  }
  return out;
}
const train = await extract(0, nTrain);
const test = await extract(1_000_000, nTest);
const [N, Cv] = [clip.vision!.numPatches + 1, clip.config.vision.hiddenSize];
console.log(
  `features: ${train.length} train + ${test.length} test images, tokens [${N}, ${Cv}], in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
);

const upload = (rows: readonly Item[]) => {
  const d = new Float32Array(rows.length * N * Cv);
  rows.forEach((r, i) => d.set(r.tokens, i * N * Cv));
  return e.tensor(d, [rows.length, N, Cv]);
};

const adapter = new ITuningAdapter(
  e,
  { lmHidden: lm.config.hiddenSize, visionHidden: Cv, numLayers: lm.config.numLayers },
  { bottleneck: Number(args.bottleneck), heads: 1 },
  seed,
);
console.log(`I-Tuning adapter: ${adapter.params.reduce((n, p) => n + p.size, 0)} parameters`);
const opt = new AdamW(e, adapter.params, { lr: peakLr, weightDecay: 0.01 });
const schedule = { type: 'cosine' as const, warmupSteps: Math.floor(steps / 10), minLrRatio: 0.1 };
const rng = new Rng(seed + 1);
const sampler = new Rng(seed + 2);
const tTrain = performance.now();
for (let step = 0; step < steps; step++) {
  const rows = Array.from({ length: batch }, () => train[rng.int(train.length)]!);
  const captions = rows.map((r) => tok.encode(r.captions[rng.int(r.captions.length)]!));
  const feats = upload(rows);
  const loss = () =>
    captionLoss(
      lm,
      adapter,
      { tokens: feats },
      { captions },
      negatives > 0 ? { sampledSoftmax: { negatives, rng: sampler } } : {},
    );
  const { value, grads } = e.valueAndGrads(loss, adapter.params);
  opt.update(grads, learningRateAt(schedule, peakLr, step, steps));
  if (step % 25 === 0 || step === steps - 1) {
    const s = (performance.now() - tTrain) / 1000;
    console.log(
      `step ${step + 1}/${steps}: loss ${(await e.readScalar(value)).toFixed(3)} (${s.toFixed(0)} s, ${((1000 * s) / (step + 1)).toFixed(0)} ms/step)`,
    );
  }
  e.dispose([value, ...grads, feats]);
}
const trainSeconds = (performance.now() - tTrain) / 1000;

async function evaluate(
  name: string,
  withAdapter: boolean,
  search: GreedySearch | BeamSearch,
  numBeams: number,
) {
  const cands: Record<string, string> = {};
  const refs: Record<string, string[]> = {};
  let right = 0;
  let colours = 0;
  let kinds = 0;
  const t = performance.now();
  for (let i = 0; i < test.length; i += 25) {
    const rows = test.slice(i, i + 25);
    const feats = upload(rows);
    const cond = withAdapter ? adapter.condition({ tokens: feats }) : undefined;
    const session = new DecodeSession({
      decoder: lm,
      prompts: rows.map(() => [lm.config.bosTokenId]),
      conditioning: cond,
    });
    const out = await search.decode(
      session,
      DecodeOptionsSchema.parse({ maxNewTokens: 24, numBeams }),
    );
    session.dispose();
    cond?.dispose();
    e.dispose(feats);
    out.forEach((o, k) => {
      const text = tok.decode(o.tokens.filter((x) => x !== lm.config.eosTokenId)).trim();
      const id = String(i + k);
      cands[id] = text;
      refs[id] = rows[k]!.captions;
      const m = shapesCaptionMatch(text, rows[k]!.scene);
      if (m.exact) right++;
      if (m.colours) colours++;
      if (m.kinds) kinds++;
    });
  }
  const s = score(refs, cands).corpus;
  const ms = (performance.now() - t) / test.length;
  console.log(
    `${name}: CIDEr-D ${(s.CIDEr ?? NaN).toFixed(3)}, BLEU-4 ${(s.Bleu_4 ?? NaN).toFixed(3)}, names exactly the scene's shapes ${((100 * right) / test.length).toFixed(0)}%, its colours ${((100 * colours) / test.length).toFixed(0)}%, its kinds ${((100 * kinds) / test.length).toFixed(0)}% (${ms.toFixed(0)} ms/image)`,
  );
  for (const k of ['0', '1', '2', '3', '4'])
    console.log(`  [${k}] ${JSON.stringify(cands[k])}  refs[0]: ${JSON.stringify(refs[k]![0])}`);
}
console.log(
  `trained ${steps} steps (batch ${batch}, ${negatives > 0 ? `sampled softmax, ${negatives} negatives` : 'full softmax'}) in ${trainSeconds.toFixed(0)} s = ${((1000 * trainSeconds) / steps).toFixed(0)} ms/step`,
);
await evaluate('frozen GPT-2, no adapter (greedy)', false, new GreedySearch(), 1);
await evaluate('I-Tuning (greedy)', true, new GreedySearch(), 1);
await evaluate('I-Tuning (beam 3)', true, new BeamSearch(), 3);
