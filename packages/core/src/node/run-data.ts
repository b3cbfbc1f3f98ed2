/**
 * The data of a run from its config: the dataset (`loadDataset`), and its CLIP features from
 * the feature cache (`openFeatureCache`). When the cache lacks features for records of the
 * splits a command needs, they are extracted inline with the configured CLIP folder (what
 * `captune extract` would do), so `captune train` works on a fresh dataset in one command.
 * Records whose images were skipped as bad are left out and reported.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { CaptuneConfig } from '../config/captune-config.js';
import {
  recordsOf,
  type CaptionDataset,
  type CaptionRecord,
  type Split,
} from '../data/caption-dataset.js';
import type { Engine } from '../engine/engine.js';
import { CaptuneError } from '../errors/captune-error.js';
import { loadDataset } from './dataset-loader.js';
import { openFeatureCache, type FeatureCache } from './feature-cache.js';
import { openClipFeatureEncoder } from './feature-encoder.js';
import { extractFeatures, type ExtractProgress, type FeatureWhat } from './feature-extractor.js';
import { readCacheManifest } from './feature-manifest.js';
import { clipFeatureIdentity } from './feature-model-identity.js';

export interface RunDataOptions {
  readonly engine: Engine;
  readonly config: CaptuneConfig;
  /** Splits whose features must be present (e.g. ["train", "val"]). */
  readonly splits: readonly (Split | 'all')[];
  /** Which features are read (extraction always stores both). @default "both" */
  readonly what?: FeatureWhat;
  /** Extract missing features inline (else a CaptuneError says to run `captune extract`). @default true */
  readonly extract?: boolean;
  readonly onExtractStart?: (total: number) => void;
  readonly onExtractProgress?: (p: ExtractProgress) => void;
  readonly onNote?: (message: string) => void;
}

export interface RunData {
  readonly dataset: CaptionDataset;
  readonly features: FeatureCache;
  readonly cacheDir: string;
  /** Records of a split that have features (bad images left out). */
  records(split: Split | 'all'): CaptionRecord[];
  close(): Promise<void>;
}

/** The feature cache folder of a config: `data.featureCache`, else `features/` beside the dataset. */
export function featureCacheDir(config: CaptuneConfig): string {
  if (config.data.featureCache) return config.data.featureCache;
  const ds = config.data.dataset!;
  return join(
    existsSync(ds) && !ds.match(/\.(json|jsonl|csv|tsv|txt)$/i) ? ds : dirname(ds),
    'features',
  );
}

/** Ids of `records` the cache has no features for (all of them when the cache is empty). */
async function missingIds(
  dir: string,
  dataset: CaptionDataset,
  clip: string,
  records: readonly CaptionRecord[],
  what: FeatureWhat,
): Promise<Set<string>> {
  if (!existsSync(dir)) return new Set(records.map((r) => r.id));
  const manifest = await readCacheManifest(dir);
  const section = manifest.models[await clipFeatureIdentity(clip, 'post-ln')];
  const ids = manifest.datasets[resolve(dataset.source)] ?? {};
  const has = (r: CaptionRecord) => {
    const entry = section && ids[r.id] ? section.entries[ids[r.id]!] : undefined;
    const shard = entry ? section!.shards[entry[0]] : undefined;
    return (
      !!shard && (what === 'embeds' || !!shard.tokens) && (what === 'tokens' || !!shard.embeds)
    );
  };
  return new Set(records.filter((r) => !has(r)).map((r) => r.id));
}

export async function openRunData(o: RunDataOptions): Promise<RunData> {
  const { config } = o;
  if (!config.data.dataset)
    throw new CaptuneError(
      'data.dataset is not set in the config (the dataset file or folder to train and evaluate on)',
    );
  if (!config.models.clip)
    throw new CaptuneError(
      'models.clip is not set in the config (the CLIP folder the features come from)',
    );
  const clip = config.models.clip;
  const dataset = await loadDataset(
    config.data.dataset,
    config.data.imageRoot ? { imageRoot: config.data.imageRoot } : {},
  );
  const dir = featureCacheDir(config);
  const wanted = o.splits.flatMap((s) => recordsOf(dataset, s));
  const what = o.what ?? 'both';
  let missing = await missingIds(dir, dataset, clip, wanted, what);
  if (missing.size > 0) {
    if (o.extract === false)
      throw new CaptuneError(
        `${dir}: no features for ${missing.size} of ${wanted.length} images of split(s) ${o.splits.join(', ')}; run captune extract --dataset ${config.data.dataset} --model ${clip} --out ${dir}`,
      );
    o.onNote?.(`extracting CLIP features of ${missing.size} images into ${dir}`);
    o.onExtractStart?.(missing.size);
    const encoder = await openClipFeatureEncoder(o.engine, clip);
    try {
      const sub: CaptionDataset = {
        ...dataset,
        records: dataset.records.filter((r) => missing.has(r.id)),
      };
      const summary = await extractFeatures({
        encoder,
        dataset: sub,
        out: dir,
        split: 'all',
        what: 'both',
        onProgress: o.onExtractProgress,
      });
      if (summary.skipped.length)
        o.onNote?.(
          `skipped ${summary.skipped.length} bad image(s), e.g. ${summary.skipped[0]!.image}: ${summary.skipped[0]!.error}`,
        );
    } finally {
      encoder.dispose();
    }
    missing = await missingIds(dir, dataset, clip, wanted, what);
    if (missing.size === wanted.length)
      throw new CaptuneError(
        `${dir}: no image of split(s) ${o.splits.join(', ')} could be read (all skipped as bad)`,
      );
    if (missing.size) o.onNote?.(`${missing.size} image(s) without features are left out`);
  }
  const features = await openFeatureCache(dir, dataset, { model: clip, what });
  const ok = (r: CaptionRecord) => !missing.has(r.id);
  return {
    dataset,
    features,
    cacheDir: dir,
    records: (split) => recordsOf(dataset, split).filter(ok),
    close: () => features.close(),
  };
}
