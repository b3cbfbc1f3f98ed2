/**
 * Image files of a references file, for the CLIP-based metrics: a COCO caption annotation file
 * names them in `images: [{"id", "file_name"}]`; for a plain `{imageId: [captions]}` map the
 * image id itself is the file name. Either way the name is relative to `root` (the `--images`
 * folder). Errors are one line naming the file and the record.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { CaptuneError } from '@captune/core';
import { z } from 'zod';
import { issueError } from '../io/describe-issue.js';
import { imageIdSchema, normaliseImageId } from '../io/image-id.js';

const imageSchema = z.object({ id: imageIdSchema, file_name: z.string().min(1) });

/** Image id → file name (not yet joined with a root) from parsed references JSON. */
export function parseImageFileNames(data: unknown, source: string): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new CaptuneError(`${source}: references must be a JSON object`);
  }
  if (!('annotations' in data)) {
    for (const id of Object.keys(data)) out[id] = id;
    return out;
  }
  const images = (data as { images?: unknown }).images;
  if (!Array.isArray(images)) {
    throw new CaptuneError(
      `${source}: no "images" list with file names (COCO annotations need images: [{"id", "file_name"}] for CLIP scores)`,
    );
  }
  images.forEach((rec: unknown, i) => {
    const r = imageSchema.safeParse(rec);
    if (!r.success) throw issueError(source, `image ${i}`, rec, r.error);
    out[normaliseImageId(r.data.id)] = r.data.file_name;
  });
  return out;
}

/**
 * Paths of the images of `ids` under `root`, read from the references file at `refsPath`.
 * Throws naming the first id without a file name, or whose file does not exist.
 */
export async function readImagePaths(
  refsPath: string,
  root: string,
  ids: readonly string[],
): Promise<Record<string, string>> {
  let data: unknown;
  try {
    data = JSON.parse(await readFile(refsPath, 'utf8'));
  } catch (e) {
    throw new CaptuneError(
      `${basename(refsPath)}: cannot read references (${(e as Error).message.split('\n')[0]})`,
      { cause: e },
    );
  }
  const names = parseImageFileNames(data, basename(refsPath));
  const out: Record<string, string> = {};
  for (const id of ids) {
    const name = names[id];
    if (name === undefined)
      throw new CaptuneError(
        `${basename(refsPath)}: image ${JSON.stringify(id)} has no entry in "images" (no file name)`,
      );
    const path = join(root, name);
    if (!existsSync(path))
      throw new CaptuneError(`image ${JSON.stringify(id)}: file ${path} does not exist`);
    out[id] = path;
  }
  return out;
}
