/**
 * A fitted closed-form method on disk (`captune fit` writes it):
 *   method.json                   {format: "captune-method", version: 1, method, clipModel, lmModel, config, fit}
 *   recap/alignment.safetensors   W F32 [P, P] applied as W · v, metadata {kind: "recap-alignment", …}
 *                                 (the file `captune score --metrics aclips --alignment` reads)
 *   recap/datastore/              the caption datastore (datastore-file.ts; appendable, reusable)
 *   sitta/alignment.safetensors   SITTA's map and vocabulary (sitta-method-file.ts)
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { CaptuneError } from '../errors/captune-error.js';
import type { CaptionDatastore } from '../retrieval/caption-datastore.js';
import { appendDatastore, loadDatastore } from './datastore-file.js';
import { SafetensorsFile } from './safetensors-file.js';
import { writeSafetensors } from './safetensors-writer.js';

export const METHOD_FILE = 'method.json';
export const RECAP_ALIGNMENT_FILE = 'recap/alignment.safetensors';
export const RECAP_DATASTORE_DIR = 'recap/datastore';

const methodFileSchema = z.object({
  format: z.literal('captune-method'),
  version: z.literal(1),
  method: z.enum(['recap', 'sitta']),
  /** CLIP folder the method was fitted with (resolved path). */
  clipModel: z.string().min(1),
  /** Language-model folder it decodes with (resolved path). */
  lmModel: z.string().min(1),
  /** The method's config section (RecapConfig / SittaConfig). */
  config: z.record(z.string(), z.unknown()),
  /** What the fit did and how long it took. */
  fit: z.record(z.string(), z.unknown()),
});
export type MethodFile = z.infer<typeof methodFileSchema>;

/** The method.json of `dir`, or null when there is none. */
export async function readMethodFile(dir: string): Promise<MethodFile | null> {
  const path = join(dir, METHOD_FILE);
  if (!existsSync(path)) return null;
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new CaptuneError(`${path}: not valid JSON: ${(error as Error).message}`);
  }
  const parsed = methodFileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new CaptuneError(`${path}: field "${issue.path.join('.') || '(root)'}": ${issue.message}`);
  }
  return parsed.data;
}

export async function writeMethodFile(dir: string, file: Omit<MethodFile, 'format' | 'version'>): Promise<void> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, METHOD_FILE);
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, `${JSON.stringify({ format: 'captune-method', version: 1, ...file }, null, 2)}\n`);
  await rename(tmp, path);
}

/** Writes W [P, P] (applied as W · v) in the metrics package's alignment format. */
export async function saveRecapAlignment(path: string, w: Float32Array, dim: number, metadata: Readonly<Record<string, string>> = {}): Promise<void> {
  if (w.length !== dim * dim) throw new CaptuneError(`${path}: W has ${w.length} values, expected ${dim}×${dim}`);
  await mkdir(dirname(path), { recursive: true });
  await writeSafetensors(path, { W: { dtype: 'F32', shape: [dim, dim], data: w } }, { metadata: { ...metadata, kind: 'recap-alignment' } });
}

export async function loadRecapAlignment(path: string): Promise<{ w: Float32Array; dim: number }> {
  if (!existsSync(path)) throw new CaptuneError(`${path}: no such file (fit first: captune fit --method recap)`);
  const file = await SafetensorsFile.open(path);
  try {
    if (file.metadata.kind !== 'recap-alignment') throw new CaptuneError(`${path}: not a ReCap alignment file (metadata "kind" is ${JSON.stringify(file.metadata.kind)})`);
    if (!file.has('W')) throw new CaptuneError(`${path}: no tensor "W"`);
    const t = await file.readTensor('W');
    const [rows, cols] = t.shape;
    if (t.shape.length !== 2 || rows !== cols || !(t.data instanceof Float32Array)) throw new CaptuneError(`${path}: tensor "W" must be a float [P, P] matrix, got [${t.shape.join(', ')}]`);
    return { w: t.data, dim: rows! };
  } finally {
    await file.close();
  }
}

/** Replaces the datastore folder of a method folder with `store`. */
export async function saveRecapDatastore(dir: string, store: CaptionDatastore): Promise<void> {
  const ds = join(dir, RECAP_DATASTORE_DIR);
  await rm(ds, { recursive: true, force: true });
  await appendDatastore(ds, store);
}

export async function loadRecapDatastore(dir: string): Promise<CaptionDatastore> {
  return loadDatastore(join(dir, RECAP_DATASTORE_DIR));
}
