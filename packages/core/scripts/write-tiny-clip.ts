/**
 * Writes the committed tiny CLIP folder (packages/core/src/models/testing/tiny-clip/) from its
 * seeded generator. Run: `npx tsx packages/core/scripts/write-tiny-clip.ts`, then
 * `python3 packages/core/scripts/numpy_clip_reference.py` to refresh the goldens.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildTinyClip } from '../src/models/testing/tiny-clip.js';

const folder = join(dirname(fileURLToPath(import.meta.url)), '../src/models/testing/tiny-clip');
await mkdir(folder, { recursive: true });
for (const [name, bytes] of buildTinyClip()) await writeFile(join(folder, name), bytes);
console.log(`wrote ${folder}`);
