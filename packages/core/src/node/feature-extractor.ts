/**
 * `extractFeatures`: runs a frozen vision encoder once over a dataset's images and stores the
 * outputs in a feature cache folder (see feature-manifest.ts for the layout). Images already
 * cached under the same checkpoint identity and image hash are reused, not recomputed; shards
 * of `shardSize` images are written atomically and the run's part manifest is rewritten after
 * each, so a killed run loses at most the shard in progress. `shard: {index, count}` takes the
 * records whose index (within the split) is ≡ index (mod count), for N machines splitting a
 * dataset. Unreadable, corrupt, non-image and oversized files are skipped and reported (or,
 * with `skipBad: false`, fail the run).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, realpath, stat } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import {
  recordsOf,
  type CaptionDataset,
  type CaptionRecord,
  type Split,
} from '../data/caption-dataset.js';
import { CaptuneError } from '../errors/captune-error.js';
import type { FeatureEncoder } from './feature-encoder.js';
import {
  emptyManifest,
  PARTS_DIR,
  readCacheManifest,
  SHARDS_DIR,
  writeJsonAtomic,
  type FeatureManifest,
  type FeatureModelSection,
  type FeatureShardInfo,
  type SkippedImage,
} from './feature-manifest.js';
import { sha256Hex } from './feature-model-identity.js';
import { FeatureShardWriter, type FeatureDtype } from './feature-shard-writer.js';
import { decodeImage } from './image-decode.js';

export type FeatureWhat = 'tokens' | 'embeds' | 'both';

export interface ExtractProgress {
  readonly done: number;
  readonly total: number;
}

export interface ExtractFeaturesOptions {
  readonly encoder: FeatureEncoder;
  readonly dataset: CaptionDataset;
  /** The cache folder (created when missing). */
  readonly out: string;
  /** @default "all" */
  readonly split?: Split | 'all';
  /** @default "both" */
  readonly what?: FeatureWhat;
  /** Storage dtype of tokens. @default "F16" */
  readonly tokenDtype?: FeatureDtype;
  /** Storage dtype of embeds. @default "F32" */
  readonly embedDtype?: FeatureDtype;
  /** Images per forward pass. @default 16 */
  readonly batchSize?: number;
  /** Images per shard file. @default 256 */
  readonly shardSize?: number;
  /** This machine's part of the records. @default { index: 0, count: 1 } */
  readonly shard?: { readonly index: number; readonly count: number };
  /** Skip (and report) bad images instead of failing. @default true */
  readonly skipBad?: boolean;
  /** Files larger than this are bad. @default 256 MiB */
  readonly maxFileBytes?: number;
  /** Decoded images with more pixels are bad. @default decodeImage's */
  readonly maxPixels?: number;
  readonly onProgress?: (progress: ExtractProgress) => void;
  readonly onSkip?: (skipped: SkippedImage) => void;
  /** Test hook: called after each shard is durably written (throw to simulate a kill). */
  readonly afterShard?: (shardsWritten: number) => void | Promise<void>;
}

export interface ExtractSummary {
  /** Images run through the encoder in this run. */
  readonly extracted: number;
  /** Records whose features were already cached (or shared an image with another record). */
  readonly reused: number;
  readonly skipped: SkippedImage[];
  /** Shard files written in this run. */
  readonly shards: number;
  readonly out: string;
  /** Records this run was responsible for. */
  readonly total: number;
  readonly identity: string;
}

/** The records one machine of `count` handles. */
export function recordsForShard(
  dataset: CaptionDataset,
  split: Split | 'all',
  shard: { readonly index: number; readonly count: number },
): CaptionRecord[] {
  const { index, count } = shard;
  if (
    !Number.isInteger(count) ||
    count < 1 ||
    !Number.isInteger(index) ||
    index < 0 ||
    index >= count
  )
    throw new CaptuneError(`shard ${index}/${count}: expected 0 ≤ i < N`);
  return recordsOf(dataset, split).filter((_, k) => k % count === index);
}

/** Whether a cached shard stores what is asked, at least as precisely. */
function satisfies(info: FeatureShardInfo, encoder: FeatureEncoder, want: Wanted): boolean {
  const ok = (have: FeatureShardInfo['tokens'] | FeatureShardInfo['embeds'], dtype: FeatureDtype) =>
    have !== null && (have.dtype === 'F32' || have.dtype === dtype);
  if (want.tokens) {
    if (!ok(info.tokens, want.tokenDtype)) return false;
    const [n, c] = info.tokens!.shape;
    if (n !== encoder.tokenShape[0] || c !== encoder.tokenShape[1]) return false;
  }
  if (want.embeds && (!ok(info.embeds, want.embedDtype) || info.embeds!.dim !== encoder.embedDim))
    return false;
  return true;
}

interface Wanted {
  readonly tokens: boolean;
  readonly embeds: boolean;
  readonly tokenDtype: FeatureDtype;
  readonly embedDtype: FeatureDtype;
}

function errorText(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
}

/** Reads an image file's bytes, refusing symlinks out of the root and oversized files. */
async function readImageBytes(
  image: string,
  realRoot: string,
  maxBytes: number,
): Promise<Uint8Array> {
  let real: string;
  let size: number;
  try {
    real = await realpath(image);
    size = (await stat(real)).size;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CaptuneError(
      `${image}: cannot read image: ${code === 'ENOENT' ? 'no such file' : errorText(error)}`,
    );
  }
  if (real !== realRoot && !real.startsWith(realRoot.endsWith(sep) ? realRoot : realRoot + sep))
    throw new CaptuneError(
      `${image}: resolves (through a symlink) to ${real}, outside the image root ${realRoot}`,
    );
  if (size > maxBytes)
    throw new CaptuneError(`${image}: file is ${size} bytes, above the limit of ${maxBytes} bytes`);
  try {
    return await readFile(real);
  } catch (error) {
    throw new CaptuneError(`${image}: cannot read image: ${errorText(error)}`);
  }
}

export async function extractFeatures(options: ExtractFeaturesOptions): Promise<ExtractSummary> {
  const { encoder, dataset, out } = options;
  const what = options.what ?? 'both';
  const want: Wanted = {
    tokens: what !== 'embeds',
    embeds: what !== 'tokens',
    tokenDtype: options.tokenDtype ?? 'F16',
    embedDtype: options.embedDtype ?? 'F32',
  };
  const batchSize = options.batchSize ?? 16;
  const shardSize = options.shardSize ?? 256;
  if (!(batchSize >= 1 && shardSize >= 1))
    throw new CaptuneError('batch and shard sizes must be ≥ 1');
  const shard = options.shard ?? { index: 0, count: 1 };
  const skipBad = options.skipBad ?? true;
  const maxBytes = options.maxFileBytes ?? 256 * 2 ** 20;
  const records = recordsForShard(dataset, options.split ?? 'all', shard);

  await mkdir(join(out, SHARDS_DIR), { recursive: true });
  await mkdir(join(out, PARTS_DIR), { recursive: true });
  const cached: FeatureManifest = await readCacheManifest(out);
  const known = cached.models[encoder.identity];
  const realRoot = await realpath(dataset.imageRoot).catch(() => resolve(dataset.imageRoot));

  const runId = `${shard.count > 1 ? `s${shard.index}of${shard.count}-` : ''}${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  const part = emptyManifest();
  const section: FeatureModelSection = {
    model: encoder.label,
    tokenLayer: encoder.tokenLayer,
    shards: {},
    entries: {},
  };
  part.models[encoder.identity] = section;
  const ids: Record<string, string> = {};
  part.datasets[resolve(dataset.source)] = ids;
  const partPath = join(out, PARTS_DIR, `${runId}.json`);

  const writer = new FeatureShardWriter({
    out,
    runId,
    encoder,
    want,
    shardSize,
    onWritten: async (shardPath, info, keys) => {
      section.shards[shardPath] = info;
      keys.forEach((key, row) => (section.entries[key] = [shardPath, row]));
      await writeJsonAtomic(partPath, part);
      await options.afterShard?.(writer.written);
    },
  });

  const isCached = (hash: string): boolean => {
    const entry = known?.entries[hash];
    return entry !== undefined && satisfies(known!.shards[entry[0]]!, encoder, want);
  };
  const inRun = new Set<string>();
  let extracted = 0;
  let reused = 0;
  let done = 0;
  const skipped: SkippedImage[] = [];
  const tick = (n: number) => {
    done += n;
    options.onProgress?.({ done, total: records.length });
  };

  let batch: { hash: string; pixels: Float32Array }[] = [];
  const runBatch = async () => {
    if (batch.length === 0) return;
    const per = batch[0]!.pixels.length;
    const stacked = new Float32Array(per * batch.length); // [B, 3, S, S]
    batch.forEach((b, i) => stacked.set(b.pixels, i * per));
    const encoded = await encoder.encode(stacked, batch.length, want);
    const keys = batch.map((b) => b.hash);
    batch = [];
    await writer.append(keys, encoded);
    extracted += keys.length;
    tick(keys.length);
  };

  for (const record of records) {
    let hash: string;
    let pixels: Float32Array | undefined;
    try {
      const bytes = await readImageBytes(record.image, realRoot, maxBytes);
      hash = sha256Hex(bytes);
      if (!isCached(hash) && !inRun.has(hash)) {
        const image = await decodeImage(bytes, record.image, {
          ...(options.maxPixels ? { maxPixels: options.maxPixels } : {}),
        });
        pixels = encoder.preprocess(image);
      }
    } catch (error) {
      if (!(error instanceof CaptuneError)) throw error;
      if (!skipBad)
        throw new CaptuneError(`record ${JSON.stringify(record.id)}: ${error.message}`, {
          cause: error,
        });
      const s = { id: record.id, image: record.image, error: error.message };
      skipped.push(s);
      part.skipped.push(s);
      options.onSkip?.(s);
      tick(1);
      continue;
    }
    ids[record.id] = hash;
    if (!pixels) {
      reused++;
      tick(1);
      continue;
    }
    inRun.add(hash);
    batch.push({ hash, pixels });
    if (batch.length >= batchSize) await runBatch();
  }
  await runBatch();
  await writer.flush();
  // A run that only reused known features for ids already mapped adds nothing: no part file
  // (its skipped images are in the summary).
  const mapped = cached.datasets[resolve(dataset.source)] ?? {};
  const news = writer.written > 0 || Object.entries(ids).some(([id, h]) => mapped[id] !== h);
  if (news) await writeJsonAtomic(partPath, part);
  return {
    extracted,
    reused,
    skipped,
    shards: writer.written,
    out,
    total: records.length,
    identity: encoder.identity,
  };
}
