/**
 * Sampling with temperature, top-k and top-p (nucleus) filtering, seeded (as Hugging Face's
 * `TopKLogitsWarper` and `TopPLogitsWarper`: top-k first, then the smallest set of tokens whose
 * probability reaches top-p, always keeping at least one).
 */
import type { Tensor } from '../engine/tensor.js';
import { Rng } from '../random/rng.js';
import type { DecodeSession } from './decode-session.js';
import {
  endTokens,
  finishOf,
  type DecodedSequence,
  type DecodeOptions,
  type DecoderSearch,
} from './decoder-search.js';
import { bannedTokens } from './ngram-blocking.js';

export class SamplingSearch implements DecoderSearch {
  readonly name = 'sample';

  async decode(session: DecodeSession, options: DecodeOptions): Promise<DecodedSequence[]> {
    const e = session.engine;
    const rng = new Rng(options.seed);
    const V = session.vocabSize;
    const ends = endTokens(session, options);
    const out = Array.from({ length: session.batchSize }, () => ({
      tokens: [] as number[],
      logprobs: [] as number[],
      finish: 'length' as DecodedSequence['finish'],
    }));
    let alive = Array.from({ length: session.batchSize }, (_, i) => i);
    let logits: Tensor | null = session.start();
    try {
      for (let step = 0; step < options.maxNewTokens && alive.length > 0; step++) {
        const lpT = e.tidy(() => e.logSoftmax(logits!)); // [N, V]
        const all = (await e.read(lpT)) as Float32Array;
        e.dispose([lpT, logits]);
        logits = null;
        const next: number[] = [];
        const feed: number[] = [];
        alive.forEach((r, i) => {
          const row = all.subarray(i * V, (i + 1) * V);
          const banned = new Set(
            bannedTokens([...session.prompt(r), ...out[r]!.tokens], step, options, ends),
          );
          const t = sampleRow(row, banned, options, rng);
          out[r]!.tokens.push(t);
          out[r]!.logprobs.push(row[t]!);
          if (ends.has(t)) out[r]!.finish = finishOf(t, session);
          else {
            next.push(i);
            feed.push(t);
          }
        });
        if (step + 1 >= options.maxNewTokens || next.length === 0) break;
        if (next.length !== alive.length) session.reorder(Int32Array.from(next));
        alive = next.map((i) => alive[i]!);
        logits = session.feed(Int32Array.from(feed));
      }
    } finally {
      e.dispose(logits);
    }
    return out.map((o) => ({ ...o, score: o.logprobs.reduce((s, x) => s + x, 0) }));
  }
}

/**
 * Draws one token from log-probabilities after temperature, bans, top-k and top-p. Plain sampling
 * is one pass over the vocabulary; top-k keeps a k-element heap (no sort of the whole vocabulary);
 * only top-p without top-k sorts every token.
 */
export function sampleRow(
  logp: Float32Array,
  banned: ReadonlySet<number>,
  options: Pick<DecodeOptions, 'temperature' | 'topK' | 'topP'>,
  rng: Rng,
): number {
  const temp = options.temperature;
  if (options.topK <= 0 && options.topP >= 1) return sampleAll(logp, banned, temp, rng);
  let kept: { t: number; s: number }[];
  if (options.topK > 0) kept = topKCandidates(logp, banned, temp, options.topK);
  else {
    kept = [];
    for (let t = 0; t < logp.length; t++) if (!banned.has(t)) kept.push({ t, s: logp[t]! / temp });
  }
  if (kept.length === 0) throw new Error('sampling: every token is banned');
  kept.sort(byScore);
  const max = kept[0]!.s;
  let probs = kept.map((c) => Math.exp(c.s - max));
  let z = probs.reduce((a, b) => a + b, 0);
  probs = probs.map((p) => p / z);
  if (options.topP < 1) {
    let acc = 0;
    let n = 0;
    while (n < probs.length && acc < options.topP) acc += probs[n++]!;
    kept = kept.slice(0, Math.max(1, n));
    probs = probs.slice(0, kept.length);
    z = probs.reduce((a, b) => a + b, 0);
    probs = probs.map((p) => p / z);
  }
  let u = rng.next();
  for (let i = 0; i < kept.length; i++) {
    u -= probs[i]!;
    if (u < 0) return kept[i]!.t;
  }
  return kept[kept.length - 1]!.t;
}

/** Higher score first; ties by lower token id. */
const byScore = (a: { t: number; s: number }, b: { t: number; s: number }): number =>
  b.s - a.s || a.t - b.t;

/** Samples from the whole (unbanned) distribution: one pass for the maximum, one for the weights. */
function sampleAll(
  logp: Float32Array,
  banned: ReadonlySet<number>,
  temp: number,
  rng: Rng,
): number {
  let max = -Infinity;
  let last = -1;
  for (let t = 0; t < logp.length; t++) {
    if (banned.has(t)) continue;
    last = t;
    max = Math.max(max, logp[t]! / temp);
  }
  if (last < 0) throw new Error('sampling: every token is banned');
  const w = new Float64Array(logp.length); // 0 for banned tokens
  let z = 0;
  for (let t = 0; t < logp.length; t++) {
    if (banned.has(t)) continue;
    w[t] = Math.exp(logp[t]! / temp - max);
    z += w[t]!;
  }
  let u = rng.next() * z;
  for (let t = 0; t <= last; t++) {
    u -= w[t]!;
    if (u < 0) return t;
  }
  return last;
}

/** The k best unbanned tokens (by score, ties by lower id) with a min-heap of size k. */
function topKCandidates(
  logp: Float32Array,
  banned: ReadonlySet<number>,
  temp: number,
  k: number,
): { t: number; s: number }[] {
  const heap: { t: number; s: number }[] = []; // heap[0] is the worst kept
  const worse = (a: { t: number; s: number }, b: { t: number; s: number }) => byScore(a, b) > 0; // a ranks after b
  const up = (i: number) => {
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!worse(heap[i]!, heap[p]!)) break;
      [heap[i], heap[p]] = [heap[p]!, heap[i]!];
      i = p;
    }
  };
  const down = (i: number) => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && worse(heap[l]!, heap[m]!)) m = l;
      if (r < heap.length && worse(heap[r]!, heap[m]!)) m = r;
      if (m === i) return;
      [heap[i], heap[m]] = [heap[m]!, heap[i]!];
      i = m;
    }
  };
  for (let t = 0; t < logp.length; t++) {
    if (banned.has(t)) continue;
    const c = { t, s: logp[t]! / temp };
    if (heap.length < k) {
      heap.push(c);
      up(heap.length - 1);
    } else if (worse(heap[0]!, c)) {
      heap[0] = c;
      down(0);
    }
  }
  return heap;
}
