/**
 * Greedy decoding: the most likely token at every step, batched over rows; finished rows are
 * dropped from the batch (their cache rows gathered away) so they cost nothing further.
 */
import type { Engine } from '../engine/engine.js';
import type { Tensor } from '../engine/tensor.js';
import type { DecodeSession } from './decode-session.js';
import { endTokens, finishOf, type DecodedSequence, type DecodeOptions, type DecoderSearch } from './decoder-search.js';
import { bannedTokens } from './ngram-blocking.js';

export class GreedySearch implements DecoderSearch {
  readonly name = 'greedy';

  async decode(session: DecodeSession, options: DecodeOptions): Promise<DecodedSequence[]> {
    const e = session.engine;
    const ends = endTokens(session, options);
    const out = Array.from({ length: session.batchSize }, () => ({ tokens: [] as number[], logprobs: [] as number[], finish: 'length' as DecodedSequence['finish'] }));
    let alive = Array.from({ length: session.batchSize }, (_, i) => i); // original row of each current row
    let logits: Tensor | null = session.start(); // [B, V]
    try {
      for (let step = 0; step < options.maxNewTokens && alive.length > 0; step++) {
        const bans = alive.map((r) => bannedTokens([...session.prompt(r), ...out[r]!.tokens], step, options, ends));
        const { ids, logp } = await pickGreedy(e, logits!, bans, session.vocabSize);
        e.dispose(logits);
        logits = null;
        const next: number[] = [];
        alive.forEach((r, i) => {
          const t = ids[i]!;
          out[r]!.tokens.push(t);
          out[r]!.logprobs.push(logp[i]!);
          if (ends.has(t)) out[r]!.finish = finishOf(t, session);
          else next.push(i);
        });
        if (step + 1 >= options.maxNewTokens || next.length === 0) {
          logits = null;
          break;
        }
        if (next.length !== alive.length) session.reorder(Int32Array.from(next));
        const feed = Int32Array.from(next, (i) => ids[i]!);
        alive = next.map((i) => alive[i]!);
        logits = session.feed(feed);
      }
    } finally {
      e.dispose(logits);
    }
    return out.map((o) => ({ ...o, score: o.logprobs.reduce((s, x) => s + x, 0) }));
  }
}

/**
 * Argmax of each row (after bans) and the model's log-probability of it. Reads back only
 * two numbers per row unless bans exist, which are applied as an additive mask.
 */
export async function pickGreedy(e: Engine, logits: Tensor, bans: readonly number[][], vocab: number): Promise<{ ids: Int32Array; logp: Float32Array }> {
  const [idsT, lpT] = e.tidy(() => {
    const logp = e.logSoftmax(logits); // [N, V]
    let scored = logp;
    if (bans.some((b) => b.length > 0)) {
      const mask = new Float32Array(bans.length * vocab);
      bans.forEach((b, i) => b.forEach((t) => (mask[i * vocab + t] = -Infinity)));
      scored = e.add(logp, e.tensor(mask, [bans.length, vocab]));
    }
    const ids = e.argmax(scored, -1); // [N]
    // logp[i, ids[i]] by a gather of N values (no one-hot row over the vocabulary).
    const offsets = e.tensor(Int32Array.from({ length: bans.length }, (_, i) => i * vocab), [bans.length], 'int32');
    const picked = e.gather(e.reshape(logp, [bans.length * vocab]), e.add(ids, offsets)); // [N]
    return [ids, picked];
  });
  const [ids, logp] = await Promise.all([e.read(idsT), e.read(lpT)]);
  e.dispose([idsT, lpT]);
  return { ids: ids as Int32Array, logp: logp as Float32Array };
}
