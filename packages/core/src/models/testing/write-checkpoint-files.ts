/** Node: writes generated checkpoint files into a folder (for loaders that open folders). */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CheckpointFiles } from './checkpoint-files.js';

export async function writeCheckpointFiles(folder: string, files: CheckpointFiles): Promise<void> {
  await mkdir(folder, { recursive: true });
  for (const [name, contents] of Object.entries(files)) await writeFile(join(folder, name), contents);
}
