/**
 * Fits SITTA's map (Paischer et al. 2023; ml-jku/semantic-image-text-alignment
 * `train_lexical_matching.py`, `train_external_dataset.py`) from CLIP space into the LM's
 * token-embedding space, z-scored on both sides. The LM side uses the statistics of the token
 * vocabulary that captioning searches (SITTA's `generate_captions.py` z-scores with the whole
 * vocabulary, which is the one it searches): on a restricted vocabulary, statistics of the
 * whole one would leave the component the vocabulary's words share in every embedding, and
 * cosine retrieval would rank by that instead of by what tells the words apart.
 * - "tokens": X = each word token in CLIP prompt templates through CLIP's text tower, averaged
 *   over templates; Y = the token's LM input embedding.
 * - "pairs": X = a training image's CLIP embedding; Y = the LM embedding of each token of its
 *   captions' content words (one row per (image, token), as the reference does).
 */
import { fitLinearMap, type FitReport, type RowChunk } from '../../alignment/fit-linear-map.js';
import type { FitMethod, LinearMap } from '../../alignment/linear-map.js';
import { CaptuneError } from '../../errors/captune-error.js';
import type { LanguageDecoder } from '../../models/language-decoder.js';
import type { Tokenizer } from '../../tokenizers/tokenizer.js';
import type { ClipTextEmbedder } from '../recap/clip-text-embedder.js';
import { whiteningMatrix } from './lm-whitening.js';
import { contentWords, type WordTokens } from './sitta-vocabulary.js';

export interface EmbeddingStats {
  readonly mean: Float64Array;
  readonly std: Float64Array;
  /** ZCA whitening [E, E] applied after the z-scoring (`sitta.lmSpace: "whiten"`, lm-whitening.ts); absent: z-scoring only. */
  readonly whiten?: Float64Array;
}

/** LM input embeddings of `ids` → [n, E] (engine, in chunks). */
export async function lmTokenEmbeddings(decoder: LanguageDecoder, ids: ArrayLike<number>, chunk = 4096): Promise<Float32Array> {
  const e = decoder.engine;
  const E = decoder.config.embedSize;
  const out = new Float32Array(ids.length * E);
  for (let s = 0; s < ids.length; s += chunk) {
    const part = Int32Array.from({ length: Math.min(chunk, ids.length - s) }, (_, i) => ids[s + i]!);
    const t = e.tidy(() => decoder.embedTokens(e.tensor(part, [1, part.length], 'int32'))); // [1, n, E]
    try {
      out.set((await e.read(t)) as Float32Array, s * E);
    } finally {
      e.dispose(t);
    }
  }
  return out;
}

/** Mean and population std per dimension of rows [n, d] (zero std → 1). */
export function columnStats(x: ArrayLike<number>, n: number, d: number): EmbeddingStats {
  const mean = new Float64Array(d);
  const sq = new Float64Array(d);
  for (let r = 0; r < n; r++) for (let j = 0; j < d; j++) mean[j]! += x[r * d + j]!;
  for (let j = 0; j < d; j++) mean[j]! /= n;
  for (let r = 0; r < n; r++) for (let j = 0; j < d; j++) sq[j]! += (x[r * d + j]! - mean[j]!) ** 2;
  const std = sq.map((s) => Math.sqrt(s / n) || 1);
  return { mean, std };
}

/**
 * Mean and std of the LM's token embeddings over `ids` (default: the whole vocabulary), and with
 * `whitenEpsilon` the ZCA whitening of the z-scored embeddings (eigenvalue floor ε · λ_max).
 */
export async function lmEmbeddingStats(decoder: LanguageDecoder, ids?: ArrayLike<number>, options: { whitenEpsilon?: number } = {}): Promise<EmbeddingStats> {
  const which = ids ?? Int32Array.from({ length: decoder.config.vocabSize }, (_, i) => i);
  if (which.length === 0) throw new CaptuneError('SITTA: no LM tokens to take embedding statistics over');
  const E = decoder.config.embedSize;
  const emb = await lmTokenEmbeddings(decoder, which);
  const stats = columnStats(emb, which.length, E);
  if (options.whitenEpsilon === undefined) return stats;
  return { ...stats, whiten: whiteningMatrix(zScore(emb, stats), which.length, E, options.whitenEpsilon) };
}

/** Per-dimension z-scoring of rows [n, d] (the whitening, if any, is not applied: see `lmSpaceEmbeddings`). */
export function zScore(x: Float32Array, stats: EmbeddingStats): Float32Array {
  const d = stats.mean.length;
  return x.map((v, i) => (v - stats.mean[i % d]!) / stats.std[i % d]!);
}

/**
 * The LM input embeddings of `ids` in the space SITTA's map targets and searches [n, E]:
 * z-scored, then whitened when `stats.whiten` is set (the [n, E]·[E, E] product on the engine, in
 * chunks: GPT-2's ~30k word tokens would take seconds as a host loop).
 */
export async function lmSpaceEmbeddings(decoder: LanguageDecoder, ids: ArrayLike<number>, stats: EmbeddingStats, chunk = 4096): Promise<Float32Array> {
  const z = zScore(await lmTokenEmbeddings(decoder, ids, chunk), stats);
  if (!stats.whiten) return z;
  const e = decoder.engine;
  const E = stats.mean.length;
  const w = e.tensor(Float32Array.from(stats.whiten), [E, E]);
  const out = new Float32Array(z.length);
  try {
    for (let s = 0; s < ids.length; s += chunk) {
      const n = Math.min(chunk, ids.length - s);
      const t = e.tidy(() => e.matmul(e.tensor(z.subarray(s * E, (s + n) * E), [n, E]), w)); // [n, E]
      try {
        out.set((await e.read(t)) as Float32Array, s * E);
      } finally {
        e.dispose(t);
      }
    }
  } finally {
    e.dispose(w);
  }
  return out;
}

export interface SittaFitOptions {
  readonly solver: FitMethod;
  readonly alpha?: number;
  readonly chunkRows?: number;
}

function chunked(x: Float32Array, y: Float32Array, rows: number, dIn: number, dOut: number, chunkRows: number): () => Iterable<RowChunk> {
  return function* () {
    for (let s = 0; s < rows; s += chunkRows) {
      const e = Math.min(rows, s + chunkRows);
      yield { x: x.subarray(s * dIn, e * dIn), y: y.subarray(s * dOut, e * dOut), rows: e - s };
    }
  };
}

/** Prompted CLIP text embeddings of the word tokens [K, P], averaged over the templates. */
export async function promptedTokenEmbeddings(embedTexts: ClipTextEmbedder, tokens: WordTokens, templates: readonly string[], onTokens?: (n: number) => void): Promise<Float32Array> {
  const T = templates.length;
  const K = tokens.words.length;
  const per = Math.max(1, Math.floor(1024 / T));
  let out: Float32Array | null = null;
  let P = 0;
  for (let s = 0; s < K; s += per) {
    const words = tokens.words.slice(s, s + per);
    const emb = await embedTexts(words.flatMap((w) => templates.map((t) => t.replaceAll('{}', w))));
    P = emb.length / (words.length * T);
    out ??= new Float32Array(K * P);
    for (let w = 0; w < words.length; w++) {
      for (let j = 0; j < P; j++) {
        let sum = 0;
        for (let t = 0; t < T; t++) sum += emb[(w * T + t) * P + j]!;
        out[(s + w) * P + j] = sum / T;
      }
    }
    onTokens?.(words.length);
  }
  if (!out) throw new CaptuneError('SITTA fit: the word vocabulary is empty (no LM token decodes to an alphabetic word)');
  return out;
}

/** Token correspondences: X = prompted CLIP embeddings [K, P], Y = the tokens' LM embeddings in the LM space (`lmSpaceEmbeddings`). */
export async function fitSittaTokens(
  x: Float32Array,
  decoder: LanguageDecoder,
  tokens: WordTokens,
  lmStats: EmbeddingStats,
  o: SittaFitOptions,
): Promise<{ map: LinearMap; report: FitReport }> {
  const K = tokens.ids.length;
  const E = decoder.config.embedSize;
  const P = x.length / K;
  const y = await lmSpaceEmbeddings(decoder, tokens.ids, lmStats);
  return fitLinearMap(chunked(x, y, K, P, E, o.chunkRows ?? 4096), { dIn: P, dOut: E }, { method: o.solver, alpha: o.alpha ?? 1, standardize: true, kind: 'sitta-clip-to-lm-tokens' });
}

/** Image–caption pairs: X = image embeddings [N, P] (row i ↔ captions[i]), Y = the content-word tokens' LM embeddings in the LM space (`lmSpaceEmbeddings`). */
export async function fitSittaPairs(
  images: Float32Array,
  captions: readonly (readonly string[])[],
  decoder: LanguageDecoder,
  tokenizer: Pick<Tokenizer, 'encode'>,
  lmStats: EmbeddingStats,
  o: SittaFitOptions,
): Promise<{ map: LinearMap; report: FitReport; rows: number }> {
  const N = captions.length;
  const P = images.length / N;
  const E = decoder.config.embedSize;
  const rowImage: number[] = [];
  const rowToken: number[] = [];
  captions.forEach((caps, i) => {
    const words = contentWords(caps.join(' '));
    const ids = new Set(words.flatMap((w) => tokenizer.encode(` ${w}`)));
    for (const id of ids) {
      rowImage.push(i);
      rowToken.push(id);
    }
  });
  if (rowImage.length === 0) throw new CaptuneError('SITTA fit: the training captions have no content words');
  const distinct = [...new Set(rowToken)];
  const emb = await lmSpaceEmbeddings(decoder, distinct, lmStats);
  const at = new Map(distinct.map((id, i) => [id, i]));
  const rows = rowImage.length;
  const x = new Float32Array(rows * P);
  const y = new Float32Array(rows * E);
  for (let r = 0; r < rows; r++) {
    x.set(images.subarray(rowImage[r]! * P, (rowImage[r]! + 1) * P), r * P);
    const k = at.get(rowToken[r]!)!;
    y.set(emb.subarray(k * E, (k + 1) * E), r * E);
  }
  const fit = await fitLinearMap(chunked(x, y, rows, P, E, o.chunkRows ?? 4096), { dIn: P, dOut: E }, { method: o.solver, alpha: o.alpha ?? 1, standardize: true, kind: 'sitta-clip-image-to-lm-tokens' });
  return { ...fit, rows };
}
