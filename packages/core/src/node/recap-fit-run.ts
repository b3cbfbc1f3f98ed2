/**
 * `captune fit --method recap` from a config: the training split's CLIP image embeddings
 * (feature cache, extracted inline when missing), CLIP text embeddings of its captions
 * (batched), the closed-form fit of W, the caption datastore, and the method folder; then the
 * optional datastore-augmentation loop (DAL), evaluated after every round by the caller's
 * scorer on the validation split. Reports how long each part took — fitting is the point.
 */
import { join, resolve } from 'node:path';
import type { CaptuneConfig } from '../config/captune-config.js';
import type { Split } from '../data/caption-dataset.js';
import type { Engine } from '../engine/engine.js';
import { CaptuneError } from '../errors/captune-error.js';
import { readImageEmbeddings } from '../methods/fitted-captioner.js';
import { alignmentMatrix, fitRecapAlignment, type RecapPairs } from '../methods/recap/recap-alignment.js';
import { RecapCaptioner } from '../methods/recap/recap-captioner.js';
import type { RecapConfig } from '../methods/recap/recap-config.js';
import { runRecapDal, type DalRoundReport } from '../methods/recap/recap-dal.js';
import type { CaptionScorer } from '../pipelines/caption-validation.js';
import { CaptionDatastore } from '../retrieval/caption-datastore.js';
import { captionFitted, openClipTextEmbedder } from './recap-sitta-fitted.js';
import { RECAP_ALIGNMENT_FILE, saveRecapAlignment, saveRecapDatastore, writeMethodFile } from './recap-method-folder.js';
import { openRunData } from './run-data.js';
import { openConfigLm } from './run-train.js';

export interface FitRunOptions {
  readonly engine: Engine;
  readonly config: CaptuneConfig;
  /** Output folder (method.json + the method's files). */
  readonly out: string;
  /** @default config.data.splits.train */
  readonly split?: Split | 'all';
  /** Scores captions (DAL's per-round metrics). */
  readonly score?: CaptionScorer;
  readonly onNote?: (message: string) => void;
  /** A phase with `total` items starts / `n` more items are done. */
  readonly onPhase?: (phase: string, total: number) => void;
  readonly onTick?: (n: number) => void;
  readonly onDalRound?: (report: DalRoundReport) => void;
}

export interface FitRunSummary {
  readonly method: 'recap' | 'sitta';
  readonly out: string;
  readonly images: number;
  /** Rows the map was fitted on. */
  readonly rows: number;
  readonly solver: string;
  /** Seconds embedding the training texts with CLIP's text tower. */
  readonly embedSeconds: number;
  /** Seconds of the closed-form fit itself (accumulation + solve). */
  readonly fitSeconds: number;
  readonly totalSeconds: number;
  readonly extra: Record<string, unknown>;
  readonly dal: DalRoundReport[];
}

const now = () => performance.now() / 1000;

export async function fitRecapFromConfig(o: FitRunOptions): Promise<FitRunSummary> {
  const t0 = now();
  const { config, engine } = o;
  const cfg: RecapConfig = config.recap;
  const split = o.split ?? config.data.splits.train;
  const splits = cfg.dal.rounds > 0 ? [split, config.data.splits.val] : [split];
  const data = await openRunData({ engine, config, splits, what: 'embeds', onNote: o.onNote });
  const opened: { dispose(): void }[] = [];
  try {
    const records = data.records(split).filter((r) => r.captions.some((c) => c.trim()));
    if (records.length === 0) throw new CaptuneError(`${data.dataset.source}: no captioned images in split "${split}" to fit on`);
    const ids = records.map((r) => r.id);
    const images = await readImageEmbeddings(data.features, ids); // [N, P]
    const P = data.features.embedDim!;
    const texts: string[] = [];
    const imageOf: number[] = [];
    records.forEach((r, i) => r.captions.filter((c) => c.trim()).forEach((c) => (texts.push(c), imageOf.push(i))));
    const { clip, embed } = await openClipTextEmbedder(engine, config.models.clip!);
    opened.push(clip);
    if (clip.config.projectionDim !== P) throw new CaptuneError(`${config.models.clip}: CLIP's text embeddings have ${clip.config.projectionDim} values but the cached image embeddings have ${P}`);
    o.onPhase?.('embed captions', texts.length);
    const te = now();
    const captions = await embedInBatches(embed, texts, o.onTick);
    const embedSeconds = now() - te;
    const pairs: RecapPairs = { images, captions, imageOf: Int32Array.from(imageOf), dim: P };
    const fitOnce = async (p: RecapPairs) => alignmentMatrix((await fitRecapAlignment(p, { solver: cfg.solver, alpha: cfg.alpha, normalize: cfg.normalize })).map);
    const tf = now();
    const w = await fitOnce(pairs);
    const fitSeconds = now() - tf;
    o.onNote?.(`fitted W (${cfg.solver}, ${P}×${P}) on ${texts.length} pairs in ${fitSeconds.toFixed(3)} s`);
    const store = new CaptionDatastore(P, { clipModel: resolve(config.models.clip!) });
    store.add(captions, texts, { source: `${data.dataset.source} captions` });
    const out = resolve(o.out);
    const save = async (alignment: Float32Array, dal: DalRoundReport[]) => {
      await saveRecapAlignment(join(out, RECAP_ALIGNMENT_FILE), alignment, P, { solver: cfg.solver, clip_model: resolve(config.models.clip!) });
      await saveRecapDatastore(out, store);
      await writeMethodFile(out, {
        method: 'recap',
        clipModel: resolve(config.models.clip!),
        lmModel: resolve(config.models.lm!),
        config: cfg as unknown as Record<string, unknown>,
        fit: { split, images: ids.length, rows: texts.length, solver: cfg.solver, embedSeconds, fitSeconds, datastoreSize: store.size, dalRounds: dal.length },
      });
    };
    if (!config.models.lm) throw new CaptuneError('models.lm is not set in the config (the frozen GPT-2 folder ReCap prompts)');
    await save(w, []);
    let dal: DalRoundReport[] = [];
    if (cfg.dal.rounds > 0) {
      const lm = await openConfigLm(engine, config);
      opened.push(lm);
      const captioner = new RecapCaptioner({ decoder: lm.decoder, tokenizer: lm.tokenizer, alignment: w, datastore: store, embedTexts: embed, config: cfg });
      opened.push(captioner);
      const val = data.records(config.data.splits.val);
      const captionedImages = cfg.dal.maxImages > 0 ? Math.min(cfg.dal.maxImages, ids.length) : ids.length;
      o.onPhase?.('DAL round 1: caption train', captionedImages);
      const result = await runRecapDal({
        captioner,
        datastore: store,
        pairs,
        trainIds: ids,
        dal: cfg.dal,
        fit: fitOnce,
        onProgress: o.onTick,
        evaluate: async (round) => {
          let metrics: Record<string, number> | null = null;
          if (o.score && val.length > 0) {
            o.onPhase?.(`DAL round ${round}: caption ${config.data.splits.val}`, val.length);
            metrics = (await captionFitted({ captioner, features: data.features, records: val, score: o.score, onProgress: o.onTick })).metrics;
          }
          if (round < cfg.dal.rounds) o.onPhase?.(`DAL round ${round + 1}: caption train`, captionedImages);
          return metrics;
        },
        onRound: o.onDalRound,
      });
      dal = result.rounds;
      await save(result.alignment ?? w, dal);
    }
    return { method: 'recap', out, images: ids.length, rows: texts.length, solver: cfg.solver, embedSeconds, fitSeconds, totalSeconds: now() - t0, extra: { datastoreSize: store.size, syntheticCaptions: store.syntheticCount }, dal };
  } finally {
    opened.reverse().forEach((x) => x.dispose());
    await data.close();
  }
}

/** Embeds `texts` with progress (the embedder batches internally). */
export async function embedInBatches(embed: (t: readonly string[]) => Promise<Float32Array>, texts: readonly string[], onTick?: (n: number) => void, chunk = 256): Promise<Float32Array> {
  const parts: Float32Array[] = [];
  for (let s = 0; s < texts.length; s += chunk) {
    const part = texts.slice(s, s + chunk);
    parts.push(await embed(part));
    onTick?.(part.length);
  }
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
