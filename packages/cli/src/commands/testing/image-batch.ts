/**
 * Writes the caption acceptance batch into a folder: the 80 good files of odd-images.ts and the
 * 20 broken inputs of broken-images.ts, interleaved (a broken one after every four good ones) so
 * every decode batch mixes both. Returns the 100 inputs in command-line order.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { brokenInputs } from './broken-images.js';
import { oddImages } from './odd-images.js';

export type BatchInput =
  | { readonly path: string; readonly good: true; readonly kind: string }
  | { readonly path: string; readonly good: false; readonly reason: RegExp };

export async function writeImageBatch(dir: string): Promise<BatchInput[]> {
  await mkdir(dir, { recursive: true });
  const good = oddImages();
  const bad = brokenInputs();
  const out: BatchInput[] = [];
  for (const g of good) {
    const path = join(dir, g.name);
    await writeFile(path, await g.bytes);
    out.push({ path, good: true, kind: g.kind });
  }
  const broken: BatchInput[] = [];
  for (const b of bad) {
    const path = join(dir, b.name);
    if (b.content === 'directory') await mkdir(path);
    else if (b.content !== 'missing') await writeFile(path, await b.content);
    broken.push({ path, good: false, reason: b.reason });
  }
  const mixed: BatchInput[] = [];
  out.forEach((g, i) => {
    mixed.push(g);
    if (i % 4 === 3) mixed.push(broken[(i - 3) / 4]!);
  });
  return mixed;
}
