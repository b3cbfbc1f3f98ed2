/**
 * A caption datastore on disk, appendable without rewriting: a folder holding
 *   datastore.json             {format: "captune-datastore", version: 1, clipModel, dim, dtype, shards: [{name, rows}]}
 *   <name>.safetensors         tensor "embeddings" [rows, dim] (F32 or F16), metadata with the CLIP model
 *   <name>.jsonl               one {"caption": string, "synthetic": boolean} per row
 * `appendDatastore` writes one new shard and then replaces datastore.json atomically, so a
 * crash mid-append leaves the previous datastore intact (ReCap's augmentation loop appends).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { CaptuneError } from '../errors/captune-error.js';
import { CaptionDatastore } from '../retrieval/caption-datastore.js';
import { SafetensorsFile } from './safetensors-file.js';
import { writeSafetensors } from './safetensors-writer.js';

export const DATASTORE_MANIFEST = 'datastore.json';

const manifestSchema = z.object({
  format: z.literal('captune-datastore'),
  version: z.literal(1),
  clipModel: z.string().min(1),
  dim: z.int().positive(),
  dtype: z.enum(['F32', 'F16']),
  shards: z.array(z.object({ name: z.string().regex(/^[\w.-]+$/), rows: z.int().nonnegative() })),
});
export type DatastoreManifest = z.infer<typeof manifestSchema>;

const recordSchema = z.object({ caption: z.string(), synthetic: z.boolean().default(false) });

export interface SaveDatastoreOptions {
  /** Embedding storage dtype. @default 'F32' */
  readonly dtype?: 'F32' | 'F16';
}

async function readManifest(dir: string): Promise<DatastoreManifest | null> {
  const path = join(dir, DATASTORE_MANIFEST);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new CaptuneError(`${path}: cannot read: ${(error as Error).message}`, { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new CaptuneError(`${path}: not valid JSON: ${(error as Error).message}`);
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new CaptuneError(`${path}: field "${issue.path.join('.') || '(root)'}": ${issue.message}`);
  }
  return parsed.data;
}

async function writeManifest(dir: string, manifest: DatastoreManifest): Promise<void> {
  const path = join(dir, DATASTORE_MANIFEST);
  const tmp = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  await writeFile(tmp, `${JSON.stringify(manifest, null, 2)}\n`);
  await rename(tmp, path);
}

/**
 * Appends rows [from, store.size) of `store` to the datastore folder `dir` (created, with a
 * fresh manifest, when it has none). Returns the manifest written.
 */
export async function appendDatastore(dir: string, store: CaptionDatastore, from = 0, options: SaveDatastoreOptions = {}): Promise<DatastoreManifest> {
  await mkdir(dir, { recursive: true });
  const existing = await readManifest(dir);
  const dtype = existing?.dtype ?? options.dtype ?? 'F32';
  if (existing && (existing.dim !== store.dim || existing.clipModel !== store.identity.clipModel)) {
    throw new CaptuneError(`${join(dir, DATASTORE_MANIFEST)}: holds ${existing.clipModel} embeddings of size ${existing.dim}; cannot append ${store.identity.clipModel} embeddings of size ${store.dim}`);
  }
  const rows = store.size - from;
  if (rows < 0) throw new CaptuneError(`appendDatastore: from = ${from} is past the store size ${store.size}`);
  const shards = existing?.shards ?? [];
  const name = `shard-${String(shards.length).padStart(5, '0')}-${randomBytes(3).toString('hex')}`;
  await writeSafetensors(
    join(dir, `${name}.safetensors`),
    { embeddings: { dtype, shape: [rows, store.dim], data: store.embeddings(from, store.size).slice() } },
    { metadata: { format: 'captune-datastore', clip_model: store.identity.clipModel } },
  );
  const lines: string[] = [];
  for (let i = from; i < store.size; i++) lines.push(JSON.stringify({ caption: store.caption(i), synthetic: store.isSynthetic(i) }));
  await writeFile(join(dir, `${name}.jsonl`), lines.length ? `${lines.join('\n')}\n` : '');
  const manifest: DatastoreManifest = {
    format: 'captune-datastore',
    version: 1,
    clipModel: store.identity.clipModel,
    dim: store.dim,
    dtype,
    shards: [...shards, { name, rows }],
  };
  await writeManifest(dir, manifest);
  return manifest;
}

/** Reads every shard of the datastore folder `dir` into memory. */
export async function loadDatastore(dir: string): Promise<CaptionDatastore> {
  const manifest = await readManifest(dir);
  if (!manifest) throw new CaptuneError(`${dir}: not a captune datastore (no ${DATASTORE_MANIFEST})`);
  const store = new CaptionDatastore(manifest.dim, { clipModel: manifest.clipModel });
  for (const shard of manifest.shards) {
    const stPath = join(dir, `${shard.name}.safetensors`);
    const jsonlPath = join(dir, `${shard.name}.jsonl`);
    const file = await SafetensorsFile.open(stPath);
    let data: Float32Array;
    try {
      const info = file.info('embeddings');
      if (info.shape.length !== 2 || info.shape[0] !== shard.rows || info.shape[1] !== manifest.dim) {
        throw new CaptuneError(`${stPath}: tensor "embeddings" has shape [${info.shape.join(', ')}], the manifest says [${shard.rows}, ${manifest.dim}]`);
      }
      data = (await file.readTensor('embeddings')).data as Float32Array;
    } finally {
      await file.close();
    }
    let text: string;
    try {
      text = await readFile(jsonlPath, 'utf8');
    } catch (error) {
      throw new CaptuneError(`${jsonlPath}: cannot read: ${(error as Error).message}`, { cause: error });
    }
    const lines = text.split('\n').filter((l, i, all) => l !== '' || i < all.length - 1);
    if (lines.length !== shard.rows) throw new CaptuneError(`${jsonlPath}: has ${lines.length} lines, the manifest says ${shard.rows} rows`);
    const captions: string[] = [];
    const synthetic: boolean[] = [];
    lines.forEach((line, i) => {
      let json: unknown;
      try {
        json = JSON.parse(line);
      } catch {
        throw new CaptuneError(`${jsonlPath}: line ${i + 1} is not valid JSON`);
      }
      const r = recordSchema.safeParse(json);
      if (!r.success) throw new CaptuneError(`${jsonlPath}: line ${i + 1}: field "${r.error.issues[0]!.path.join('.')}": ${r.error.issues[0]!.message}`);
      captions.push(r.data.caption);
      synthetic.push(r.data.synthetic);
    });
    // Add runs of equal synthetic flags (stored rows are already normalised: keep them bit-exact).
    let s = 0;
    for (let i = 1; i <= shard.rows; i++) {
      if (i === shard.rows || synthetic[i] !== synthetic[s]) {
        store.add(data.subarray(s * manifest.dim, i * manifest.dim), captions.slice(s, i), { synthetic: synthetic[s]!, normalize: false, source: jsonlPath });
        s = i;
      }
    }
  }
  return store;
}
