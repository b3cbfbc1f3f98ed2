/**
 * ReCap's alignment W (Paischer et al. 2024): a linear map inside CLIP's joint space from
 * image embeddings to the embeddings of their captions, fitted in closed form on every
 * (image, caption) pair of the training split (one row per caption). The stored form is the
 * metrics package's alignment file: W [P, P] applied as `W · v` (packages/metrics
 * `clip-score/alignment-file.ts`), i.e. the transpose of the row-vector map `v·M`.
 */
import { fitLinearMap, type FitReport, type RowChunk } from '../../alignment/fit-linear-map.js';
import { foldLinearMap, type FitMethod, type LinearMap } from '../../alignment/linear-map.js';
import { CaptuneError } from '../../errors/captune-error.js';

export interface RecapPairs {
  /** [N, P] image embeddings. */
  readonly images: Float32Array;
  /** [M, P] caption embeddings. */
  readonly captions: Float32Array;
  /** [M] image row of each caption. */
  readonly imageOf: Int32Array;
  readonly dim: number;
}

export interface RecapFitOptions {
  readonly solver: FitMethod;
  readonly alpha?: number;
  /** L2-normalise both sides first. @default true */
  readonly normalize?: boolean;
  /** Rows per accumulation chunk. @default 4096 */
  readonly chunkRows?: number;
}

function normalized(src: Float32Array, row: number, P: number, out: Float32Array, at: number, normalize: boolean): void {
  let s = 0;
  for (let j = 0; j < P; j++) s += src[row * P + j]! ** 2;
  const inv = normalize ? (s > 0 ? 1 / Math.sqrt(s) : 0) : 1;
  for (let j = 0; j < P; j++) out[at * P + j] = src[row * P + j]! * inv;
}

/** Fits the row-vector map y = x·M (x image, y caption embedding). */
export async function fitRecapAlignment(pairs: RecapPairs, o: RecapFitOptions): Promise<{ map: LinearMap; report: FitReport }> {
  const P = pairs.dim;
  const M = pairs.imageOf.length;
  const N = pairs.images.length / P;
  if (!Number.isInteger(N) || pairs.captions.length !== M * P) throw new CaptuneError(`ReCap fit: ${pairs.captions.length} caption values for ${M} captions of size ${P}`);
  if (M === 0) throw new CaptuneError('ReCap fit: no (image, caption) pairs to fit on');
  const normalize = o.normalize ?? true;
  const chunkRows = o.chunkRows ?? 4096;
  function* chunks(): Iterable<RowChunk> {
    for (let s = 0; s < M; s += chunkRows) {
      const rows = Math.min(chunkRows, M - s);
      const x = new Float32Array(rows * P); // [rows, P]
      const y = new Float32Array(rows * P); // [rows, P]
      for (let r = 0; r < rows; r++) {
        const img = pairs.imageOf[s + r]!;
        if (!(img >= 0 && img < N)) throw new CaptuneError(`ReCap fit: caption ${s + r} points at image row ${img}, outside [0, ${N})`);
        normalized(pairs.images, img, P, x, r, normalize);
        normalized(pairs.captions, s + r, P, y, r, normalize);
      }
      yield { x, y, rows };
    }
  }
  return fitLinearMap(chunks, { dIn: P, dOut: P }, { method: o.solver, alpha: o.alpha ?? 1, kind: 'recap-clip-image-to-clip-text' });
}

/** The alignment-file matrix W [P, P] (row-major, applied as W · v) of a fitted map. */
export function alignmentMatrix(map: LinearMap): Float32Array {
  if (map.dIn !== map.dOut) throw new CaptuneError(`ReCap alignment: the map is ${map.dIn} → ${map.dOut}, expected a square map`);
  const folded = foldLinearMap(map);
  if (folded.bias && folded.bias.some((b) => b !== 0)) throw new CaptuneError('ReCap alignment: the map has a bias, which the alignment file cannot hold (fit without intercept or z-scoring)');
  const P = map.dIn;
  const w = new Float32Array(P * P);
  for (let i = 0; i < P; i++) for (let j = 0; j < P; j++) w[i * P + j] = folded.weight[j * P + i]!;
  return w;
}

/** W · v for every row v of `x` [n, P] (host, float32 out). */
export function applyAlignment(w: Float32Array, x: Float32Array, P: number): Float32Array {
  const n = x.length / P;
  const out = new Float32Array(x.length);
  for (let r = 0; r < n; r++) {
    for (let i = 0; i < P; i++) {
      let s = 0;
      for (let j = 0; j < P; j++) s += w[i * P + j]! * x[r * P + j]!;
      out[r * P + i] = s;
    }
  }
  return out;
}
