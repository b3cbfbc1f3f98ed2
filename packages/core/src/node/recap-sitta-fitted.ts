/**
 * Opens a fitted ReCap or SITTA folder (method.json + its files) as a FittedCaptioner on an
 * engine: the frozen LM and its tokenizer, CLIP's text tower for re-ranking, and the method's
 * fitted parts. `captionFitted` captions a split with it and scores it, as `captune eval` does
 * for trained adapters.
 */
import { join, resolve } from 'node:path';
import type { CaptionRecord } from '../data/caption-dataset.js';
import type { Engine } from '../engine/engine.js';
import { CaptuneError } from '../errors/captune-error.js';
import type { FittedCaptioner } from '../methods/fitted-captioner.js';
import { clipTextEmbedder, type ClipTextEmbedder } from '../methods/recap/clip-text-embedder.js';
import { RecapCaptioner } from '../methods/recap/recap-captioner.js';
import { RecapConfigSchema } from '../methods/recap/recap-config.js';
import { SittaCaptioner } from '../methods/sitta/sitta-captioner.js';
import { SittaConfigSchema } from '../methods/sitta/sitta-config.js';
import type { CaptionScorer } from '../pipelines/caption-validation.js';
import type { FeatureSource } from '../pipelines/feature-source.js';
import type { GeneratedCaption } from '../pipelines/caption-generator.js';
import { openClipFolder, openLanguageModelFolder, type ClipFolder, type LanguageModelFolder } from './model-folder.js';
import { loadRecapAlignment, loadRecapDatastore, readMethodFile, RECAP_ALIGNMENT_FILE, type MethodFile } from './recap-method-folder.js';
import { loadSittaModel, SITTA_FILE } from './sitta-method-file.js';

export interface OpenedFittedMethod {
  readonly captioner: FittedCaptioner;
  readonly manifest: MethodFile;
  dispose(): void;
}

/** True when `dir` holds a method.json (a `captune fit` output folder). */
export async function isFittedMethodDir(dir: string): Promise<boolean> {
  return (await readMethodFile(dir)) !== null;
}

export interface OpenFittedOptions {
  /** Override the LM / CLIP folders recorded in method.json. */
  readonly lm?: string;
  readonly clip?: string;
  /** Override settings of the method's config section (e.g. decoding). */
  readonly config?: Record<string, unknown>;
}

/**
 * Opens the CLIP text tower as a batched text embedder. Texts longer than CLIP's context are cut
 * (`clip.tokenize(truncate=True)`, as CLIPScore and the ReCap/SITTA references tokenise): a
 * sampled candidate caption that runs on must be scored, not end the run.
 */
export async function openClipTextEmbedder(engine: Engine, folder: string): Promise<{ clip: ClipFolder; embed: ClipTextEmbedder }> {
  const clip = await openClipFolder(engine, folder, { towers: 'text' });
  const tokenize = clip.tokenize;
  if (!tokenize) throw new CaptuneError(`${folder}: the CLIP folder has no tokenizer files (vocab.json, merges.txt), needed to embed texts`);
  return { clip, embed: clipTextEmbedder({ engine, model: clip.model, tokenize: (texts) => tokenize(texts, { truncate: true }) }) };
}

export async function openFittedMethod(engine: Engine, dir: string, o: OpenFittedOptions = {}): Promise<OpenedFittedMethod> {
  const manifest = await readMethodFile(dir);
  if (!manifest) throw new CaptuneError(`${dir}: not a fitted method folder (no method.json; run captune fit --method recap|sitta --out ${dir})`);
  const lmDir = o.lm ?? manifest.lmModel;
  const clipDir = o.clip ?? manifest.clipModel;
  const opened: { dispose(): void }[] = [];
  const disposeAll = () => opened.reverse().forEach((x) => x.dispose());
  try {
    const lm: LanguageModelFolder = await openLanguageModelFolder(engine, lmDir);
    opened.push(lm);
    if (!lm.tokenizer) throw new CaptuneError(`${lmDir}: the language model folder has no tokenizer files (captions cannot be decoded to text)`);
    const { clip, embed } = await openClipTextEmbedder(engine, clipDir);
    opened.push(clip);
    const raw = { ...manifest.config, ...(o.config ?? {}) };
    let captioner: FittedCaptioner;
    if (manifest.method === 'recap') {
      const config = parseSection(RecapConfigSchema, raw, dir);
      const { w, dim } = await loadRecapAlignment(join(dir, RECAP_ALIGNMENT_FILE));
      const datastore = await loadRecapDatastore(dir);
      if (datastore.dim !== dim) throw new CaptuneError(`${dir}: the datastore embeddings have ${datastore.dim} values but W is ${dim}×${dim}`);
      captioner = new RecapCaptioner({ decoder: lm.decoder, tokenizer: lm.tokenizer, alignment: w, datastore, embedTexts: embed, config });
    } else {
      const config = parseSection(SittaConfigSchema, raw, dir);
      const model = await loadSittaModel(join(dir, SITTA_FILE));
      captioner = await SittaCaptioner.create({ decoder: lm.decoder, tokenizer: lm.tokenizer, model, embedTexts: embed, config });
    }
    opened.push(captioner);
    return { captioner, manifest, dispose: disposeAll };
  } catch (error) {
    disposeAll();
    throw error;
  }
}

function parseSection<T>(schema: { safeParse(x: unknown): { success: true; data: T } | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } } }, raw: unknown, dir: string): T {
  const r = schema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new CaptuneError(`${resolve(dir, 'method.json')}: config.${issue.path.map(String).join('.')}: ${issue.message}`);
  }
  return r.data;
}

export interface FittedEvaluation {
  readonly captions: GeneratedCaption[];
  readonly metrics: Record<string, number> | null;
}

/** Captions `records` with a fitted captioner and scores them against their references. */
export async function captionFitted(o: { captioner: FittedCaptioner; features: FeatureSource; records: readonly CaptionRecord[]; score?: CaptionScorer; onProgress?: (n: number) => void }): Promise<FittedEvaluation> {
  const captions = await o.captioner.captionIds(o.features, o.records.map((r) => r.id), o.onProgress);
  const scored = o.records.filter((r) => r.captions.length > 0);
  let metrics: Record<string, number> | null = null;
  if (o.score && scored.length > 0) {
    const byId = new Map(captions.map((c) => [c.id, c.caption]));
    metrics = await o.score(Object.fromEntries(scored.map((r) => [r.id, [...r.captions]])), Object.fromEntries(scored.map((r) => [r.id, byId.get(r.id)!])));
  }
  return { captions, metrics };
}

export interface EvaluateFittedOptions {
  readonly engine: Engine;
  /** The run config: its data section names the dataset and the feature cache. */
  readonly config: import('../config/captune-config.js').CaptuneConfig;
  /** The fitted method folder. */
  readonly dir: string;
  readonly split: import('../data/caption-dataset.js').Split | 'all';
  readonly score?: CaptionScorer;
  readonly onStart?: (total: number) => void;
  readonly onProgress?: (n: number) => void;
  readonly onNote?: (message: string) => void;
}

/**
 * Captions a split of the config's dataset with a fitted method and scores it (what
 * `evaluateCheckpoint` does for a trained adapter). Features come from the method's own CLIP.
 */
export async function evaluateFittedMethod(o: EvaluateFittedOptions): Promise<FittedEvaluation & { records: CaptionRecord[] }> {
  const { openRunData } = await import('./run-data.js');
  const fitted = await openFittedMethod(o.engine, o.dir);
  try {
    const config = { ...o.config, models: { ...o.config.models, clip: fitted.manifest.clipModel } };
    const data = await openRunData({ engine: o.engine, config, splits: [o.split], what: 'embeds', ...(o.onNote ? { onNote: o.onNote } : {}) });
    try {
      const records = data.records(o.split);
      if (records.length === 0) throw new CaptuneError(`${data.dataset.source}: no images in split "${o.split}"`);
      o.onStart?.(records.length);
      const ev = await captionFitted({ captioner: fitted.captioner, features: data.features, records, ...(o.score ? { score: o.score } : {}), ...(o.onProgress ? { onProgress: o.onProgress } : {}) });
      return { ...ev, records };
    } finally {
      await data.close();
    }
  } finally {
    fitted.dispose();
  }
}
