/**
 * The identity of a CLIP checkpoint for the feature cache: sha256 over what determines the
 * vision tower's outputs for given image bytes: `config.json`, the weights (each safetensors
 * file's size and header bytes: names, dtypes, shapes and offsets; the tensor bytes are not
 * hashed, which would mean reading GBs — a weights file rewritten with different values but the
 * same layout and size is the one change this misses), `preprocessor_config.json`, and the
 * token layer stored. Features are cached under (this hash, sha256 of the image file).
 */
import { createHash } from 'node:crypto';
import { open, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { readHeaderSize } from '../checkpoint/safetensors-header.js';
import { CaptuneError } from '../errors/captune-error.js';
import { SAFE_WEIGHTS_INDEX_NAME, SAFE_WEIGHTS_NAME } from './checkpoint-folder.js';
import { readExactly } from './safetensors-file.js';

/** Which vision-tower tokens are stored: before (`last`) or after (`post-ln`) post_layernorm. */
export type TokenLayer = 'last' | 'post-ln';

/** The feature-cache format version: bump to invalidate every cache. */
export const FEATURE_CACHE_VERSION = 1;

export function sha256Hex(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

async function readOr(path: string, what: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CaptuneError(
      `${path}: cannot read ${what}: ${code === 'ENOENT' ? 'no such file' : (error as Error).message}`,
      { cause: error },
    );
  }
}

/** sha256 of a safetensors file's size and header (prefix + JSON). */
async function weightsFileHash(path: string): Promise<string> {
  const handle = await open(path, 'r').catch((error: Error) => {
    throw new CaptuneError(`${path}: cannot open weights: ${error.message}`, { cause: error });
  });
  try {
    const size = (await handle.stat()).size;
    const prefix = new Uint8Array(8);
    await readExactly(handle, prefix, 0, path);
    const header = new Uint8Array(readHeaderSize(prefix, path, size));
    await readExactly(handle, header, 8, path);
    return sha256Hex(Buffer.concat([Buffer.from(`${size}\n`), prefix, header]));
  } finally {
    await handle.close();
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isFile(),
    () => false,
  );
}

/** The weights part of the identity: model.safetensors, or the index and each shard. */
async function weightsHash(folder: string): Promise<string> {
  const single = join(folder, SAFE_WEIGHTS_NAME);
  if (await exists(single)) return weightsFileHash(single);
  const indexPath = join(folder, SAFE_WEIGHTS_INDEX_NAME);
  if (!(await exists(indexPath)))
    throw new CaptuneError(`${folder}: no ${SAFE_WEIGHTS_NAME} or ${SAFE_WEIGHTS_INDEX_NAME}`);
  const index = await readOr(indexPath, 'shard index');
  let shards: string[];
  try {
    const map = (JSON.parse(index.toString('utf8')) as { weight_map?: Record<string, string> })
      .weight_map;
    shards = [...new Set(Object.values(map ?? {}))].sort();
  } catch {
    throw new CaptuneError(`${indexPath}: not valid JSON`);
  }
  const parts = [sha256Hex(index)];
  for (const shard of shards) parts.push(await weightsFileHash(join(folder, shard)));
  return sha256Hex(parts.join('\n'));
}

/** The hex sha256 identity of a CLIP folder's vision features with this token layer. */
export async function clipFeatureIdentity(folder: string, tokenLayer: TokenLayer): Promise<string> {
  const config = await readOr(join(folder, 'config.json'), 'config.json');
  const pre = await readOr(join(folder, 'preprocessor_config.json'), 'preprocessor_config.json');
  return sha256Hex(
    [
      `captune-features v${FEATURE_CACHE_VERSION}`,
      `config ${sha256Hex(config)}`,
      `weights ${await weightsHash(folder)}`,
      `preprocessor ${sha256Hex(pre)}`,
      `tokens ${tokenLayer}`,
    ].join('\n'),
  );
}
