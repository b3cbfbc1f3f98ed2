/**
 * A feature cache folder (written by `captune extract`) as a `FeatureSource` for one dataset:
 * `read(ids)` maps record ids to image hashes (recorded per dataset by extract; an id extract
 * did not see is hashed from its image file on first use), looks each up under the checkpoint's
 * identity and reads just those rows from their shards. Nothing else is loaded in memory.
 *
 * ```ts
 * const features = await openFeatureCache(dir, dataset, { model: clipFolder });
 * const batch = await features.read(batchIds); // [{ tokens?: [N·C], embeds?: [P] }]
 * ```
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { CaptionDataset, CaptionRecord } from '../data/caption-dataset.js';
import { CaptuneError } from '../errors/captune-error.js';
import type { FeatureSource, ImageFeatures } from '../pipelines/feature-source.js';
import { readCacheManifest, type FeatureModelSection } from './feature-manifest.js';
import { clipFeatureIdentity, sha256Hex, type TokenLayer } from './feature-model-identity.js';
import { FeatureShardReader } from './feature-shard-reader.js';

export interface OpenFeatureCacheOptions {
  /** The CLIP folder the features must come from. @default the cache's only checkpoint */
  readonly model?: string;
  /** With `model`: which token layer. @default "post-ln" */
  readonly tokenLayer?: TokenLayer;
  /** What `read` returns. @default whatever the cache stores for this checkpoint */
  readonly what?: 'tokens' | 'embeds' | 'both';
}

export class FeatureCache implements FeatureSource {
  readonly tokenShape: readonly [number, number] | null;
  readonly embedDim: number | null;
  private readonly records: Map<string, CaptionRecord>;
  private readonly hashes: Map<string, string>;
  private readonly reader: FeatureShardReader;

  constructor(
    readonly dir: string,
    readonly dataset: CaptionDataset,
    readonly identity: string,
    private readonly section: FeatureModelSection,
    idToHash: Readonly<Record<string, string>>,
    what: { tokens: boolean; embeds: boolean },
  ) {
    const infos = Object.values(section.shards);
    const tokenShapes = new Set(infos.flatMap((s) => (s.tokens ? [s.tokens.shape.join('x')] : [])));
    const embedDims = new Set(infos.flatMap((s) => (s.embeds ? [s.embeds.dim] : [])));
    if (tokenShapes.size > 1 || embedDims.size > 1)
      throw new CaptuneError(
        `${dir}: shards of one checkpoint disagree on feature shapes (a corrupt cache?)`,
      );
    const tokenInfo = infos.find((s) => s.tokens)?.tokens;
    const embedInfo = infos.find((s) => s.embeds)?.embeds;
    if (what.tokens && !tokenInfo)
      throw new CaptuneError(
        `${dir}: this cache stores no tokens for ${section.model}; run captune extract --what tokens`,
      );
    if (what.embeds && !embedInfo)
      throw new CaptuneError(
        `${dir}: this cache stores no embeds for ${section.model}; run captune extract --what embeds`,
      );
    this.tokenShape = what.tokens && tokenInfo ? [tokenInfo.shape[0], tokenInfo.shape[1]] : null;
    this.embedDim = what.embeds && embedInfo ? embedInfo.dim : null;
    this.records = new Map(dataset.records.map((r) => [r.id, r]));
    this.hashes = new Map(Object.entries(idToHash));
    this.reader = new FeatureShardReader(identity);
  }

  private async hashOf(id: string): Promise<string> {
    const known = this.hashes.get(id);
    if (known) return known;
    const record = this.records.get(id);
    if (!record)
      throw new CaptuneError(`${this.dataset.source}: no record with id ${JSON.stringify(id)}`);
    let bytes: Uint8Array;
    try {
      bytes = await readFile(record.image);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'no such file' : (error as Error).message.split('\n')[0];
      throw new CaptuneError(
        `${this.dir}: no cached features for record ${JSON.stringify(id)}: its image ${record.image} cannot be read (${why})`,
      );
    }
    const hash = sha256Hex(bytes);
    this.hashes.set(id, hash);
    return hash;
  }

  /** Rows are read one after another (each a positioned read of just that row). */
  async read(ids: readonly string[]): Promise<ImageFeatures[]> {
    const out: ImageFeatures[] = [];
    for (const id of ids) {
      if (!this.records.has(id))
        throw new CaptuneError(`${this.dataset.source}: no record with id ${JSON.stringify(id)}`);
      const hash = await this.hashOf(id);
      const entry = this.section.entries[hash];
      if (!entry)
        throw new CaptuneError(
          `${this.dir}: no cached features for record ${JSON.stringify(id)} (${this.records.get(id)!.image}); run captune extract on this dataset (was the image skipped as bad?)`,
        );
      const [shard, row] = entry;
      const info = this.section.shards[shard]!;
      const path = join(this.dir, shard);
      const missing = (part: string) =>
        new CaptuneError(
          `${this.dir}: record ${JSON.stringify(id)} was extracted without ${part}; re-run captune extract --what both`,
        );
      let tokens: Float32Array | undefined;
      let embeds: Float32Array | undefined;
      if (this.tokenShape) {
        if (!info.tokens) throw missing('tokens');
        tokens = await this.reader.readRow(path, 'tokens', row, hash);
      }
      if (this.embedDim !== null) {
        if (!info.embeds) throw missing('embeds');
        embeds = await this.reader.readRow(path, 'embeds', row, hash);
      }
      out.push({ ...(tokens ? { tokens } : {}), ...(embeds ? { embeds } : {}) });
    }
    return out;
  }

  async close(): Promise<void> {
    await this.reader.close();
  }
}

/** Opens a cache folder for a dataset; see the file comment. */
export async function openFeatureCache(
  dir: string,
  dataset: CaptionDataset,
  options: OpenFeatureCacheOptions = {},
): Promise<FeatureCache> {
  const manifest = await readCacheManifest(dir);
  const identities = Object.keys(manifest.models);
  if (identities.length === 0)
    throw new CaptuneError(
      `${dir}: not a feature cache, or empty (run captune extract --out ${dir})`,
    );
  let identity: string;
  if (options.model !== undefined) {
    identity = await clipFeatureIdentity(options.model, options.tokenLayer ?? 'post-ln');
    if (!manifest.models[identity]) {
      const held = identities.map(
        (i) => `${manifest.models[i]!.model} (${manifest.models[i]!.tokenLayer})`,
      );
      throw new CaptuneError(
        `${dir}: no features of ${options.model} with token layer ${options.tokenLayer ?? 'post-ln'} (the cache holds ${held.join(', ')}); run captune extract --model ${options.model}`,
      );
    }
  } else {
    if (identities.length > 1)
      throw new CaptuneError(
        `${dir}: holds features of ${identities.length} checkpoints (${identities.map((i) => manifest.models[i]!.model).join(', ')}); say which with the model option`,
      );
    identity = identities[0]!;
  }
  const section = manifest.models[identity]!;
  const infos = Object.values(section.shards);
  const what = options.what ?? 'auto';
  const want = {
    tokens: what === 'auto' ? infos.some((s) => s.tokens) : what !== 'embeds',
    embeds: what === 'auto' ? infos.some((s) => s.embeds) : what !== 'tokens',
  };
  const idToHash = manifest.datasets[resolve(dataset.source)] ?? {};
  return new FeatureCache(dir, dataset, identity, section, idToHash, want);
}
