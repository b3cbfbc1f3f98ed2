/**
 * A folder of images as a dataset with no captions (images to caption, or to extract features
 * of): every file under it, recursively, whose extension sharp decodes (jpg, jpeg, png, webp,
 * gif, tif, tiff, avif; not bmp, which sharp's prebuilt libvips cannot read). The id is the
 * path relative to the folder with `/` separators; records are sorted by it. Hidden entries
 * (names starting with ".") and symlinked folders are skipped (no cycles).
 */
import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { CaptuneError } from '../errors/captune-error.js';
import type { CaptionDataset } from '../data/caption-dataset.js';
import { buildCaptionDataset, type RecordDraft } from '../data/build-caption-dataset.js';

export const IMAGE_EXTENSIONS = [
  '.jpg',
  '.jpeg',
  '.png',
  '.webp',
  '.gif',
  '.tif',
  '.tiff',
  '.avif',
];

function isImageName(name: string): boolean {
  const dot = name.lastIndexOf('.');
  return dot > 0 && IMAGE_EXTENSIONS.includes(name.slice(dot).toLowerCase());
}

async function walk(root: string, rel: string, out: string[]): Promise<void> {
  const dir = rel ? join(root, rel) : root;
  const entries = await readdir(dir, { withFileTypes: true });
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const childRel = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.isDirectory()) await walk(root, childRel, out);
    else if (isImageName(entry.name)) {
      if (entry.isFile()) out.push(childRel);
      else if (entry.isSymbolicLink()) {
        const target = await stat(join(root, childRel)).catch(() => undefined);
        if (target?.isFile()) out.push(childRel);
      }
    }
  }
}

/** Lists a folder's images as a dataset (split "unknown", no captions). */
export async function loadImageFolder(folder: string): Promise<CaptionDataset> {
  const root = resolve(folder);
  const rels: string[] = [];
  try {
    await walk(root, '', rels);
  } catch (error) {
    throw new CaptuneError(
      `${folder}: cannot list images: ${(error as Error).message.split('\n')[0]}`,
      {
        cause: error,
      },
    );
  }
  if (rels.length === 0)
    throw new CaptuneError(
      `${folder}: no images found (looked for ${IMAGE_EXTENSIONS.join(' ')} files, recursively)`,
    );
  rels.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const drafts: RecordDraft[] = rels.map((rel) => ({
    id: rel,
    rel,
    captions: [],
    split: 'unknown',
    where: `${folder}: ${rel}`,
  }));
  return buildCaptionDataset(drafts, { source: folder, imageRoot: root, format: 'folder' });
}
