/**
 * The feature cache's manifest: which shard and row hold each image's features, per checkpoint
 * identity, and which image each dataset record id is (per dataset source path). A cache folder
 * holds `manifest.json` (merged) and `parts/*.json` (one per extract run: concurrent runs, such
 * as the tasks of a Slurm array, never write the same file); readers see the union. Every file
 * is written atomically (temp file + rename) and validated with zod when read.
 *
 * ```
 * { "format": "captune-features", "version": 1,
 *   "models": { "<identity>": { "model": "<folder>", "tokenLayer": "post-ln",
 *       "shards": { "shards/<run>-00000.safetensors": { "rows": 256,
 *           "tokens": { "shape": [50, 768], "dtype": "F16" } | null,
 *           "embeds": { "dim": 512, "dtype": "F32" } | null } },
 *       "entries": { "<image sha256>": ["shards/<run>-00000.safetensors", 17] } } },
 *   "datasets": { "/abs/dataset_coco.json": { "<record id>": "<image sha256>" } },
 *   "skipped": [{ "id", "image", "error" }] }
 * ```
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { parseWith } from '../checkpoint/hf-config-schema.js';
import { CaptuneError } from '../errors/captune-error.js';
import { FEATURE_CACHE_VERSION } from './feature-model-identity.js';

export const MANIFEST_FILE = 'manifest.json';
export const PARTS_DIR = 'parts';
export const SHARDS_DIR = 'shards';

const hex64 = z.string().regex(/^[0-9a-f]{64}$/, { error: 'expected a sha256 hex string' });
const dim = z.int().positive();
const SHARD_PATH = /^shards\/[A-Za-z0-9._-]+\.safetensors$/;
const shardPath = z.string().regex(SHARD_PATH, { error: 'expected "shards/<name>.safetensors"' });

const ShardInfo = z.strictObject({
  rows: z.int().nonnegative(),
  tokens: z.strictObject({ shape: z.tuple([dim, dim]), dtype: z.enum(['F16', 'F32']) }).nullable(),
  embeds: z.strictObject({ dim, dtype: z.enum(['F16', 'F32']) }).nullable(),
});
export type FeatureShardInfo = z.infer<typeof ShardInfo>;

const ModelSection = z.strictObject({
  model: z.string(),
  tokenLayer: z.enum(['last', 'post-ln']),
  shards: z.record(z.string(), ShardInfo),
  entries: z.record(hex64, z.tuple([shardPath, z.int().nonnegative()])),
});
export type FeatureModelSection = z.infer<typeof ModelSection>;

const Skipped = z.strictObject({ id: z.string(), image: z.string(), error: z.string() });
export type SkippedImage = z.infer<typeof Skipped>;

export const FeatureManifestSchema = z.strictObject({
  format: z.literal('captune-features', { error: 'expected "captune-features"' }),
  version: z.literal(FEATURE_CACHE_VERSION, {
    error: `expected version ${FEATURE_CACHE_VERSION} (re-extract with this captune)`,
  }),
  models: z.record(hex64, ModelSection),
  datasets: z.record(z.string(), z.record(z.string(), hex64)),
  skipped: z.array(Skipped).default([]),
});
export type FeatureManifest = z.infer<typeof FeatureManifestSchema>;

export function emptyManifest(): FeatureManifest {
  return {
    format: 'captune-features',
    version: FEATURE_CACHE_VERSION,
    models: {},
    datasets: {},
    skipped: [],
  };
}

/** Reads and validates one manifest file. */
export async function readManifestFile(path: string): Promise<FeatureManifest> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new CaptuneError(
      `${path}: cannot read feature manifest: ${(error as Error).message.split('\n')[0]}`,
      {
        cause: error,
      },
    );
  }
  const m = parseWith(FeatureManifestSchema, json, path);
  for (const [identity, section] of Object.entries(m.models)) {
    for (const shard of Object.keys(section.shards))
      if (!SHARD_PATH.test(shard))
        throw new CaptuneError(
          `${path}: models.${identity.slice(0, 12)}….shards: ${JSON.stringify(shard)}: expected "shards/<name>.safetensors"`,
        );
    for (const [hash, [shard, row]] of Object.entries(section.entries)) {
      const info = section.shards[shard];
      if (!info || row >= info.rows)
        throw new CaptuneError(
          `${path}: models.${identity.slice(0, 12)}….entries.${hash.slice(0, 12)}…: points to ${shard} row ${row}, which the manifest does not list`,
        );
    }
  }
  return m;
}

/** Writes JSON atomically (temp file in the same folder, then rename). */
export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await writeFile(tmp, `${JSON.stringify(value)}\n`, { flag: 'wx' });
    await rename(tmp, path);
  } catch (error) {
    await unlink(tmp).catch(() => undefined);
    throw new CaptuneError(`${path}: cannot write: ${(error as Error).message}`, { cause: error });
  }
}

/** Adds `part` into `into` (mutating it). An image already present keeps its entry unless the new shard stores more (tokens and embeds). */
export function mergeManifestInto(into: FeatureManifest, part: FeatureManifest): void {
  for (const [identity, section] of Object.entries(part.models)) {
    const target = (into.models[identity] ??= {
      model: section.model,
      tokenLayer: section.tokenLayer,
      shards: {},
      entries: {},
    });
    Object.assign(target.shards, section.shards);
    for (const [hash, entry] of Object.entries(section.entries)) {
      const old = target.entries[hash];
      if (!old || richness(target.shards[entry[0]]!) > richness(target.shards[old[0]]!))
        target.entries[hash] = entry;
    }
  }
  for (const [source, ids] of Object.entries(part.datasets))
    Object.assign((into.datasets[source] ??= {}), ids);
  into.skipped.push(...part.skipped);
}

function richness(info: FeatureShardInfo): number {
  const score = (p: { dtype: string } | null) => (p === null ? 0 : p.dtype === 'F32' ? 2 : 1);
  return score(info.tokens) * 3 + score(info.embeds);
}

/** The part manifests' paths, sorted. */
export async function listManifestParts(dir: string): Promise<string[]> {
  const names = await readdir(join(dir, PARTS_DIR)).catch(() => [] as string[]);
  return names
    .filter((n) => n.endsWith('.json'))
    .sort()
    .map((n) => join(dir, PARTS_DIR, n));
}

/** The union of `manifest.json` and every part in a cache folder (an empty manifest for a new folder). */
export async function readCacheManifest(dir: string): Promise<FeatureManifest> {
  const union = emptyManifest();
  const main = join(dir, MANIFEST_FILE);
  const hasMain = await readFile(main).then(
    () => true,
    () => false,
  );
  if (hasMain) mergeManifestInto(union, await readManifestFile(main));
  for (const part of await listManifestParts(dir))
    mergeManifestInto(union, await readManifestFile(part));
  union.skipped = [];
  return union;
}

export interface MergeSummary {
  readonly parts: number;
  readonly models: number;
  readonly images: number;
  readonly shards: number;
}

/**
 * Folds every part into `manifest.json` (written atomically first), then deletes the parts.
 * Run it when no extract is writing to the folder.
 */
export async function mergeFeatureManifests(dir: string): Promise<MergeSummary> {
  const parts = await listManifestParts(dir);
  const main = join(dir, MANIFEST_FILE);
  const hasMain = await readFile(main).then(
    () => true,
    () => false,
  );
  if (!hasMain && parts.length === 0)
    throw new CaptuneError(
      `${dir}: not a feature cache (no ${MANIFEST_FILE} and no ${PARTS_DIR}/*.json)`,
    );
  const merged = hasMain ? await readManifestFile(main) : emptyManifest();
  merged.skipped = [];
  for (const part of parts) mergeManifestInto(merged, await readManifestFile(part));
  await mkdir(dir, { recursive: true });
  await writeJsonAtomic(main, merged);
  for (const part of parts) await unlink(part);
  const sections = Object.values(merged.models);
  return {
    parts: parts.length,
    models: sections.length,
    images: sections.reduce((n, s) => n + Object.keys(s.entries).length, 0),
    shards: sections.reduce((n, s) => n + Object.keys(s.shards).length, 0),
  };
}
