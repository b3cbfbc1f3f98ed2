/**
 * The file format of a ReCap alignment (Paischer et al. 2024, "Linear Alignment of
 * Vision-language Models for Image Captioning"): one safetensors file holding
 *
 * - tensor `W`, float32, shape [P, P] (P = the CLIP projection size), applied to an image
 *   embedding v [P] as `W · v` (row-major: out[i] = Σ_j W[i, j] · v[j]);
 * - `__metadata__` `{"kind": "recap-alignment"}`, plus any other string entries (e.g. the fit
 *   method, the CLIP model it was fitted for).
 *
 * Errors are one line naming the file and what is wrong.
 */
import { CaptuneError } from '@captune/core';
import { linearAlignment, type EmbeddingAlignment } from './clip-embedder.js';

export const ALIGNMENT_KIND = 'recap-alignment';

export interface AlignmentFile extends EmbeddingAlignment {
  readonly path: string;
  readonly metadata: Readonly<Record<string, string>>;
}

/** Reads and checks an alignment file. */
export async function readAlignmentFile(path: string): Promise<AlignmentFile> {
  const { SafetensorsFile } = await import('@captune/core/node');
  const file = await SafetensorsFile.open(path);
  try {
    const kind = file.metadata.kind;
    if (kind !== ALIGNMENT_KIND) {
      throw new CaptuneError(
        `${path}: not a ReCap alignment file (metadata "kind" is ${kind === undefined ? 'missing' : JSON.stringify(kind)}, expected "${ALIGNMENT_KIND}")`,
      );
    }
    if (!file.has('W'))
      throw new CaptuneError(
        `${path}: no tensor "W" (it has ${file.names().join(', ') || 'no tensors'})`,
      );
    const info = file.info('W');
    if (info.dtype !== 'F32')
      throw new CaptuneError(`${path}: tensor "W" must be float32 (F32), got ${info.dtype}`);
    const [rows, cols] = info.shape;
    if (info.shape.length !== 2 || rows !== cols || rows === 0) {
      throw new CaptuneError(
        `${path}: tensor "W" must be square [P, P], got [${info.shape.join(', ')}]`,
      );
    }
    const w = await file.read('W');
    const data = w.data as Float32Array;
    const bad = data.findIndex((x) => !Number.isFinite(x));
    if (bad >= 0)
      throw new CaptuneError(
        `${path}: tensor "W" has a non-finite value at [${Math.floor(bad / rows!)}, ${bad % rows!}]`,
      );
    return { ...linearAlignment(data, rows!), path, metadata: file.metadata };
  } finally {
    await file.close();
  }
}

/** Writes W [P, P] (row-major) as an alignment file; `metadata` adds entries beside `kind`. */
export async function writeAlignmentFile(
  path: string,
  w: Float32Array,
  dim: number,
  metadata: Readonly<Record<string, string>> = {},
): Promise<void> {
  if (w.length !== dim * dim)
    throw new CaptuneError(`${path}: W has ${w.length} values, expected ${dim}×${dim}`);
  const { writeSafetensors } = await import('@captune/core/node');
  await writeSafetensors(
    path,
    { W: { dtype: 'F32', shape: [dim, dim], data: w } },
    { metadata: { ...metadata, kind: ALIGNMENT_KIND } },
  );
}
