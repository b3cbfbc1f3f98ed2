/**
 * Beam search, batched over rows, with the KV cache reordered by beam index on the device
 * (never re-running the sequence). Follows Hugging Face's `BeamSearchScorer`: per step the
 * top 2·K (beam, token) pairs by cumulative log-probability; an end token ranked within the
 * top K finishes a hypothesis; the other pairs continue as the next K beams. With K = 1 it is
 * greedy search (as Hugging Face dispatches it).
 */
import type { Tensor } from '../engine/tensor.js';
import { BeamHypotheses } from './beam-hypotheses.js';
import type { DecodeSession } from './decode-session.js';
import { endTokens, finishOf, type DecodedSequence, type DecodeOptions, type DecoderSearch } from './decoder-search.js';
import { GreedySearch } from './greedy-search.js';
import { bannedTokens } from './ngram-blocking.js';

interface Beam {
  tokens: number[];
  logprobs: number[];
  sum: number;
}

export class BeamSearch implements DecoderSearch {
  readonly name = 'beam';

  async decode(session: DecodeSession, options: DecodeOptions): Promise<DecodedSequence[]> {
    const K = options.numBeams;
    if (K === 1) return new GreedySearch().decode(session, options);
    const e = session.engine;
    const B = session.batchSize;
    const V = session.vocabSize;
    const ends = endTokens(session, options);
    const hyps = Array.from({ length: B }, () => new BeamHypotheses(K, options.lengthPenalty));
    const done = new Array<boolean>(B).fill(false);
    // Row b·K + k is beam k of batch row b. Beams 1..K-1 start at -inf so the first step
    // expands beam 0 only (distinct first tokens).
    let beams: Beam[] = Array.from({ length: B * K }, (_, r) => ({ tokens: [], logprobs: [], sum: r % K === 0 ? 0 : -Infinity }));
    const first = session.start(); // [B, V]
    const expand = Int32Array.from({ length: B * K }, (_, r) => Math.floor(r / K));
    session.reorder(expand);
    let logits: Tensor | null = e.tidy(() => e.gather(first, e.tensor(expand, [B * K], 'int32'))); // [B·K, V]
    e.dispose(first);
    try {
      for (let step = 0; step < options.maxNewTokens; step++) {
        const bans = beams.map((bm, r) => bannedTokens([...session.prompt(Math.floor(r / K)), ...bm.tokens], step, options, ends));
        const [valT, idxT, lpT] = e.tidy(() => {
          const logp = e.logSoftmax(logits!); // [B·K, V]
          let scored = e.add(logp, e.tensor(Float32Array.from(beams, (bm) => bm.sum), [B * K, 1])); // [B·K, V]
          if (bans.some((b) => b.length)) {
            const mask = new Float32Array(B * K * V);
            bans.forEach((b, r) => b.forEach((t) => (mask[r * V + t] = -Infinity)));
            scored = e.add(scored, e.tensor(mask, [B * K, V]));
          }
          const top = e.topk(e.reshape(scored, [B, K * V]), 2 * K); // [B, 2K]
          const offsets = e.tensor(Int32Array.from({ length: B * 2 * K }, (_, i) => Math.floor(i / (2 * K)) * K * V), [B, 2 * K], 'int32');
          const flat = e.add(top.indices, offsets); // [B, 2K] indices into [B·K·V]
          const tokenLogp = e.gather(e.reshape(logp, [B * K * V]), flat); // [B, 2K]
          return [top.values, top.indices, tokenLogp];
        });
        const [vals, idxs, lps] = await Promise.all([e.read(valT), e.read(idxT), e.read(lpT)]);
        e.dispose([valT, idxT, lpT, logits]);
        logits = null;

        const next: Beam[] = [];
        const rows: number[] = [];
        const feed: number[] = [];
        for (let b = 0; b < B; b++) {
          const chosen: { row: number; tok: number; sum: number; lp: number }[] = [];
          if (!done[b]) {
            for (let j = 0; j < 2 * K && chosen.length < K; j++) {
              const sum = vals[b * 2 * K + j]!;
              if (sum === -Infinity) break;
              const idx = idxs[b * 2 * K + j]!;
              const row = b * K + Math.floor(idx / V);
              const tok = idx % V;
              const lp = lps[b * 2 * K + j]!;
              const parent = beams[row]!;
              if (ends.has(tok)) {
                if (j < K) hyps[b]!.add([...parent.tokens, tok], [...parent.logprobs, lp], sum, finishOf(tok, session));
              } else {
                chosen.push({ row, tok, sum, lp });
              }
            }
            const best = chosen.length ? Math.max(...chosen.map((c) => c.sum)) : -Infinity;
            if (chosen.length === 0 || hyps[b]!.isDone(best, step + 1)) done[b] = true;
          }
          for (let k = 0; k < K; k++) {
            const c = chosen[k];
            if (c && !done[b]) {
              const parent = beams[c.row]!;
              next.push({ tokens: [...parent.tokens, c.tok], logprobs: [...parent.logprobs, c.lp], sum: c.sum });
              rows.push(c.row);
              feed.push(c.tok);
            } else {
              // A dead slot: keeps the batch rectangular, never chosen again.
              next.push({ tokens: [], logprobs: [], sum: -Infinity });
              rows.push(b * K);
              feed.push(session.eosTokenId);
            }
          }
        }
        beams = next;
        if (done.every(Boolean) || step + 1 >= options.maxNewTokens) break;
        session.reorder(Int32Array.from(rows));
        logits = session.feed(Int32Array.from(feed));
      }
    } finally {
      e.dispose(logits);
    }
    // Rows that ran out of length: their running beams become hypotheses.
    for (let b = 0; b < B; b++) {
      if (done[b]) continue;
      for (let k = 0; k < K; k++) {
        const bm = beams[b * K + k]!;
        if (bm.sum > -Infinity) hyps[b]!.add(bm.tokens, bm.logprobs, bm.sum, 'length');
      }
    }
    return hyps.map((h) => {
      const best = h.best();
      return { tokens: best.tokens, logprobs: best.logprobs, score: best.score, finish: best.finish };
    });
  }
}
