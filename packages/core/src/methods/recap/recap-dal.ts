/**
 * ReCap's datastore-augmentation loop (DAL, Paischer et al. 2024): caption the training images
 * with the current ReCap, score each synthetic caption by RefaCLIP-S against the image's own
 * references, add the best `fraction` to the datastore (flagged synthetic) and to the fitting
 * pairs, refit W, and evaluate — for `rounds` rounds. The evaluation is the caller's (core does
 * not depend on @captune/metrics).
 */
import { CaptuneError } from '../../errors/captune-error.js';
import type { CaptionDatastore } from '../../retrieval/caption-datastore.js';
import type { RecapPairs } from './recap-alignment.js';
import type { RecapCaptioner } from './recap-captioner.js';
import type { RecapConfig } from './recap-config.js';
import { refAClipScore } from './recap-rerank.js';

export interface DalRoundReport {
  readonly round: number;
  /** Synthetic captions added this round. */
  readonly added: number;
  readonly datastoreSize: number;
  /** Mean RefaCLIP-S of all synthetic captions of the round, and of the kept ones. */
  readonly meanRefaClipS: number;
  readonly keptRefaClipS: number;
  /** The caller's metrics after refitting (null without an evaluator). */
  readonly metrics: Record<string, number> | null;
  /** Seconds of captioning + refitting (evaluation excluded). */
  readonly seconds: number;
  readonly examples: readonly { id: string; caption: string; refaClipS: number }[];
}

export interface DalOptions {
  readonly captioner: RecapCaptioner;
  readonly datastore: CaptionDatastore;
  /** The training pairs; image row i is the image `trainIds[i]`. */
  readonly pairs: RecapPairs;
  readonly trainIds: readonly string[];
  readonly dal: RecapConfig['dal'];
  /** Refits W [P, P] (applied as W · v) on the given pairs. */
  readonly fit: (pairs: RecapPairs) => Promise<Float32Array>;
  /** Metrics after a round's refit (e.g. CIDEr-D on the validation split). */
  readonly evaluate?: (round: number) => Promise<Record<string, number> | null>;
  readonly onRound?: (report: DalRoundReport) => void;
  /** Called with the number of training images captioned. */
  readonly onProgress?: (n: number) => void;
}

export interface DalResult {
  readonly rounds: DalRoundReport[];
  /** The final pairs (training + kept synthetic) and W. */
  readonly pairs: RecapPairs;
  readonly alignment: Float32Array | null;
}

export async function runRecapDal(o: DalOptions): Promise<DalResult> {
  const P = o.pairs.dim;
  const n = o.pairs.images.length / P;
  if (o.trainIds.length !== n) throw new CaptuneError(`DAL: ${o.trainIds.length} training ids for ${n} image rows`);
  // Reference caption rows of each image (the original pairs only).
  const refsOf: number[][] = Array.from({ length: n }, () => []);
  o.pairs.imageOf.forEach((img, row) => refsOf[img]!.push(row));
  const limit = o.dal.maxImages > 0 ? Math.min(o.dal.maxImages, n) : n;
  const bs = 16;
  let pairs = o.pairs;
  let alignment: Float32Array | null = null;
  const reports: DalRoundReport[] = [];
  for (let round = 1; round <= o.dal.rounds; round++) {
    const t0 = performance.now();
    const scored: { row: number; caption: string; embedding: Float32Array; refa: number }[] = [];
    for (let s = 0; s < limit; s += bs) {
      const rows = Array.from({ length: Math.min(bs, limit - s) }, (_, i) => s + i);
      const details = await o.captioner.captionEmbeddings(rows.map((r) => o.trainIds[r]!), o.pairs.images.slice(s * P, (s + rows.length) * P));
      details.forEach((d, i) => {
        const row = rows[i]!;
        const refs = refsOf[row]!;
        const refEmb = new Float32Array(refs.length * P);
        refs.forEach((c, k) => refEmb.set(o.pairs.captions.subarray(c * P, (c + 1) * P), k * P));
        scored.push({ row, caption: d.caption, embedding: d.embedding, refa: refAClipScore(d.aligned, d.embedding, refEmb, refs.length) });
      });
      o.onProgress?.(rows.length);
    }
    const ranked = [...scored].sort((a, b) => b.refa - a.refa || a.row - b.row);
    const kept = ranked.slice(0, Math.max(1, Math.ceil(o.dal.fraction * ranked.length)));
    const emb = new Float32Array(kept.length * P);
    kept.forEach((k, i) => emb.set(k.embedding, i * P));
    o.datastore.add(emb, kept.map((k) => k.caption), { synthetic: true, source: `DAL round ${round}` });
    const captions = new Float32Array(pairs.captions.length + emb.length);
    captions.set(pairs.captions);
    captions.set(emb, pairs.captions.length);
    const imageOf = new Int32Array(pairs.imageOf.length + kept.length);
    imageOf.set(pairs.imageOf);
    imageOf.set(kept.map((k) => k.row), pairs.imageOf.length);
    pairs = { images: pairs.images, captions, imageOf, dim: P };
    alignment = await o.fit(pairs);
    o.captioner.setAlignment(alignment);
    const seconds = (performance.now() - t0) / 1000;
    const mean = (xs: readonly { refa: number }[]) => xs.reduce((s, x) => s + x.refa, 0) / Math.max(1, xs.length);
    const metrics = o.evaluate ? await o.evaluate(round) : null;
    const report: DalRoundReport = {
      round,
      added: kept.length,
      datastoreSize: o.datastore.size,
      meanRefaClipS: mean(scored),
      keptRefaClipS: mean(kept),
      metrics,
      seconds,
      examples: kept.slice(0, 3).map((k) => ({ id: o.trainIds[k.row]!, caption: k.caption, refaClipS: k.refa })),
    };
    reports.push(report);
    o.onRound?.(report);
  }
  return { rounds: reports, pairs, alignment };
}
