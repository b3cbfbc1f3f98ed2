/**
 * CLIP-S and RefCLIP-S as Hessel et al. 2021 define them (jmhessel/clipscore `clipscore.py`),
 * and aCLIP-S / RefaCLIP-S of ReCap (Paischer et al. 2024): the same with a fitted linear
 * alignment W applied to the image embedding.
 *
 * - Every text (candidate and reference) is embedded as `"A photo depicts " + text`, no other
 *   normalisation, truncated to the context (clipscore.py's `CLIPCapDataset`, `truncate=True`).
 * - CLIP-S(c, v) = w · max(cos(E_img(v), E_txt(c)), 0), w = 2.5.
 * - RefCLIP-S(c, R, v) = H(CLIP-S(c, v), max(max_{r∈R} cos(E_txt(c), E_txt(r)), 0)), H the
 *   harmonic mean 2ab/(a+b) (0 when a + b = 0). The clip at 0 on the text side is the paper's
 *   definition; clipscore.py omits it, which only matters when every reference is anti-correlated.
 * - aCLIP-S(c, v) = w · max(cos(W · E_img(v), E_txt(c)), 0); RefaCLIP-S = H(aCLIP-S, the same
 *   text-side term). W maps images into the caption side of the space, so text–text
 *   similarities are unchanged.
 * - Cosines are computed in float64 from the embedder's vectors (scale-free, so W may be applied
 *   to raw or normalised image embeddings alike); corpus scores are numpy.mean of image scores.
 */
import { CaptuneError } from '@captune/core';
import { npMean } from '../util/numpy-mean.js';
import type { ClipEmbedder, EmbeddingAlignment } from './clip-embedder.js';

export type ClipMetric = 'clips' | 'refclips' | 'aclips' | 'refaclips';
export const CLIP_METRICS: readonly ClipMetric[] = ['clips', 'refclips', 'aclips', 'refaclips'];
export type ClipScoreKey = 'CLIP-S' | 'RefCLIP-S' | 'aCLIP-S' | 'RefaCLIP-S';
export const CLIP_SCORE_KEYS: Readonly<Record<ClipMetric, ClipScoreKey>> = {
  clips: 'CLIP-S',
  refclips: 'RefCLIP-S',
  aclips: 'aCLIP-S',
  refaclips: 'RefaCLIP-S',
};

/** clipscore.py's `w`. */
export const CLIP_SCORE_W = 2.5;
/** clipscore.py's prefix (a space is added when it does not end with one). */
export const CLIP_SCORE_PREFIX = 'A photo depicts';

export interface ClipScoreOptions {
  readonly embedder: ClipEmbedder;
  /** Image file of every image id. */
  readonly images: Readonly<Record<string, string>>;
  /** Which scores. @default ['clips', 'refclips'] (plus the aligned two when `alignment` is given) */
  readonly metrics?: readonly ClipMetric[];
  /** Needed by `aclips` / `refaclips`. */
  readonly alignment?: EmbeddingAlignment;
  /** @default 2.5 */
  readonly w?: number;
  /** @default "A photo depicts" */
  readonly prefix?: string;
}

export interface ClipScoreResult {
  readonly corpus: Partial<Record<ClipScoreKey, number>>;
  readonly perImage: Record<string, Partial<Record<ClipScoreKey, number>>>;
}

/** Embeddings of one corpus, image i with candidate i and references refs[i]. */
export interface ClipEmbeddings {
  readonly images: readonly Float32Array[];
  readonly candidates: readonly Float32Array[];
  readonly references: readonly (readonly Float32Array[])[];
}

function unit(v: Float32Array, what: () => string): Float64Array {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  const n = Math.sqrt(s);
  if (!(n > 0) || !Number.isFinite(n))
    throw new CaptuneError(`CLIP score: ${what()} has a zero or non-finite embedding`);
  const out = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = v[i]! / n;
  return out;
}

function dot(a: Float64Array, b: Float64Array): number {
  if (a.length !== b.length)
    throw new CaptuneError(`CLIP score: embedding sizes differ (${a.length} vs ${b.length})`);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

const harmonic = (a: number, b: number): number => (a + b === 0 ? 0 : (2 * a * b) / (a + b));

/** The scores from embeddings (image order = `ids`). */
export function clipScoresFromEmbeddings(
  ids: readonly string[],
  emb: ClipEmbeddings,
  options: { metrics: readonly ClipMetric[]; alignment?: EmbeddingAlignment; w?: number },
): ClipScoreResult {
  const w = options.w ?? CLIP_SCORE_W;
  const want = new Set(options.metrics);
  const aligned = want.has('aclips') || want.has('refaclips');
  if (aligned && options.alignment === undefined) {
    throw new CaptuneError('aCLIP-S / RefaCLIP-S need a fitted alignment W (--alignment FILE)');
  }
  const needRefs = want.has('refclips') || want.has('refaclips');
  const per: Record<ClipScoreKey, Float64Array> = {
    'CLIP-S': new Float64Array(ids.length),
    'RefCLIP-S': new Float64Array(ids.length),
    'aCLIP-S': new Float64Array(ids.length),
    'RefaCLIP-S': new Float64Array(ids.length),
  };
  ids.forEach((id, i) => {
    const c = unit(emb.candidates[i]!, () => `the candidate of image "${id}"`);
    let textSide = 0;
    if (needRefs) {
      let best = -Infinity;
      emb.references[i]!.forEach((r, k) => {
        best = Math.max(
          best,
          dot(
            c,
            unit(r, () => `reference ${k} of image "${id}"`),
          ),
        );
      });
      textSide = Math.max(best, 0);
    }
    const clipS =
      w *
      Math.max(
        dot(
          unit(emb.images[i]!, () => `image "${id}"`),
          c,
        ),
        0,
      );
    per['CLIP-S'][i] = clipS;
    per['RefCLIP-S'][i] = harmonic(clipS, textSide);
    if (aligned) {
      const v = emb.images[i]!;
      if (v.length !== options.alignment!.dim) {
        throw new CaptuneError(
          `the alignment W is ${options.alignment!.dim}×${options.alignment!.dim} but the CLIP embeddings have ${v.length} values`,
        );
      }
      const a =
        w *
        Math.max(
          dot(
            unit(options.alignment!.apply(v), () => `W · image "${id}"`),
            c,
          ),
          0,
        );
      per['aCLIP-S'][i] = a;
      per['RefaCLIP-S'][i] = harmonic(a, textSide);
    }
  });
  const corpus: ClipScoreResult['corpus'] = {};
  const perImage: ClipScoreResult['perImage'] = {};
  for (const id of ids) perImage[id] = {};
  for (const m of CLIP_METRICS) {
    if (!want.has(m)) continue;
    const key = CLIP_SCORE_KEYS[m];
    corpus[key] = npMean(per[key]);
    ids.forEach((id, i) => (perImage[id]![key] = per[key][i]!));
  }
  return { corpus, perImage };
}

/**
 * Embeds the corpus (each distinct text once) and scores it. `references` and `candidates` are
 * the raw captions by image id (clipscore.py does not tokenise them).
 */
export async function clipScores(
  references: Readonly<Record<string, readonly string[]>>,
  candidates: Readonly<Record<string, string>>,
  options: ClipScoreOptions,
): Promise<ClipScoreResult> {
  const metrics = options.metrics ?? (options.alignment ? CLIP_METRICS : ['clips', 'refclips']);
  const ids = Object.keys(candidates);
  const noImage = ids.filter((id) => !Object.hasOwn(options.images, id));
  if (noImage.length > 0) {
    throw new CaptuneError(
      `CLIP score: no image file for image id${noImage.length > 1 ? 's' : ''} ${noImage
        .slice(0, 5)
        .map((s) => JSON.stringify(s))
        .join(', ')}`,
    );
  }
  let prefix = options.prefix ?? CLIP_SCORE_PREFIX;
  if (!prefix.endsWith(' ')) prefix += ' ';
  const needRefs = metrics.includes('refclips') || metrics.includes('refaclips');

  const texts: string[] = [];
  const at = new Map<string, number>();
  const index = (t: string): number => {
    let k = at.get(t);
    if (k === undefined) {
      k = texts.length;
      at.set(t, k);
      texts.push(prefix + t);
    }
    return k;
  };
  const candIdx = ids.map((id) => index(candidates[id]!));
  const refIdx = ids.map((id) => (needRefs ? (references[id] ?? []).map(index) : []));
  const [images, textEmb] = [
    await options.embedder.embedImages(ids.map((id) => options.images[id]!)),
    await options.embedder.embedTexts(texts),
  ];
  return clipScoresFromEmbeddings(
    ids,
    {
      images,
      candidates: candIdx.map((k) => textEmb[k]!),
      references: refIdx.map((ks) => ks.map((k) => textEmb[k]!)),
    },
    {
      metrics,
      ...(options.alignment ? { alignment: options.alignment } : {}),
      ...(options.w !== undefined ? { w: options.w } : {}),
    },
  );
}
