/**
 * Sampling with temperature, top-k and top-p (nucleus) filtering, seeded (as Hugging Face's
 * `TopKLogitsWarper` and `TopPLogitsWarper`: top-k first, then the smallest set of tokens whose
 * probability reaches top-p, always keeping at least one).
 */
import type { Tensor } from '../engine/tensor.js';
import { Rng } from '../random/rng.js';
import type { DecodeSession } from './decode-session.js';
import { endTokens, finishOf, type DecodedSequence, type DecodeOptions, type DecoderSearch } from './decoder-search.js';
import { bannedTokens } from './ngram-blocking.js';

export class SamplingSearch implements DecoderSearch {
  readonly name = 'sample';

  async decode(session: DecodeSession, options: DecodeOptions): Promise<DecodedSequence[]> {
    const e = session.engine;
    const rng = new Rng(options.seed);
    const V = session.vocabSize;
    const ends = endTokens(session, options);
    const out = Array.from({ length: session.batchSize }, () => ({ tokens: [] as number[], logprobs: [] as number[], finish: 'length' as DecodedSequence['finish'] }));
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
          const banned = new Set(bannedTokens([...session.prompt(r), ...out[r]!.tokens], step, options, ends));
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

/** Draws one token from log-probabilities after temperature, bans, top-k and top-p. */
export function sampleRow(logp: Float32Array, banned: ReadonlySet<number>, options: Pick<DecodeOptions, 'temperature' | 'topK' | 'topP'>, rng: Rng): number {
  const cand: { t: number; s: number }[] = [];
  for (let t = 0; t < logp.length; t++) if (!banned.has(t)) cand.push({ t, s: logp[t]! / options.temperature });
  if (cand.length === 0) throw new Error('sampling: every token is banned');
  cand.sort((a, b) => b.s - a.s || a.t - b.t);
  let kept = options.topK > 0 ? cand.slice(0, options.topK) : cand;
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
