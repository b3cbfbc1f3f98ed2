import { describe, expect, it } from 'vitest';
import { Engine } from '../engine/engine.js';
import { ReferenceBackend } from '../reference/index.js';
import { BeamSearch } from './beam-search.js';
import { DecodeSession } from './decode-session.js';
import { DecodeOptionsSchema, type DecodeOptions } from './decoder-search.js';
import { createSearchRegistry } from './decoding-module.js';
import { GreedySearch } from './greedy-search.js';
import { SamplingSearch } from './sampling-search.js';
import { MarkovDecoder } from './testing-markov-decoder.js';

const opts = (o: Partial<DecodeOptions> = {}) => DecodeOptionsSchema.parse(o);

function setup(vocab = 12, seed = 1) {
  const e = new Engine(new ReferenceBackend());
  const lm = new MarkovDecoder(e, vocab, seed);
  return { e, lm };
}

async function run(search: { decode: GreedySearch['decode'] }, lm: MarkovDecoder, prompts: number[][], o: DecodeOptions) {
  const s = new DecodeSession({ decoder: lm, prompts });
  try {
    return await search.decode.call(search, s, o);
  } finally {
    s.dispose();
  }
}

/** Σ log p of a continuation under the Markov chain (the objective before normalisation). */
function sumLogp(table: Float32Array, v: number, prompt: number[], tokens: number[]): number {
  let last = prompt[prompt.length - 1]!;
  let s = 0;
  for (const t of tokens) {
    s += table[last * v + t]!;
    last = t;
  }
  return s;
}

describe('decoding strategies', () => {
  it('greedy follows the argmax chain and reports true log-probs', async () => {
    const { lm } = setup();
    const table = await lm.logprobTable();
    const [out] = await run(new GreedySearch(), lm, [[3]], opts({ maxNewTokens: 6 }));
    let last = 3;
    for (let i = 0; i < out!.tokens.length; i++) {
      const row = Array.from(table.subarray(last * 12, last * 12 + 12));
      const best = row.indexOf(Math.max(...row));
      expect(out!.tokens[i]).toBe(best);
      expect(out!.logprobs[i]).toBeCloseTo(row[best]!, 5);
      if (best === 11) break;
      last = best;
    }
  });

  it('batched greedy equals greedy per row (left-padded prompts of different lengths)', async () => {
    const { lm } = setup(12, 5);
    const prompts = [[1, 2, 3], [4], [0, 7]];
    const batched = await run(new GreedySearch(), lm, prompts, opts({ maxNewTokens: 8 }));
    for (let i = 0; i < prompts.length; i++) {
      const [single] = await run(new GreedySearch(), lm, [prompts[i]!], opts({ maxNewTokens: 8 }));
      expect(batched[i]!.tokens).toEqual(single!.tokens);
    }
  });

  it('beam search with num_beams = 1 equals greedy', async () => {
    const { lm } = setup(12, 2);
    const g = await run(new GreedySearch(), lm, [[1], [5]], opts({ maxNewTokens: 7 }));
    const b = await run(new BeamSearch(), lm, [[1], [5]], opts({ maxNewTokens: 7, numBeams: 1 }));
    expect(b.map((x) => x.tokens)).toEqual(g.map((x) => x.tokens));
  });

  it('beam search never scores worse than greedy by its own objective', async () => {
    for (let seed = 0; seed < 12; seed++) {
      const { lm } = setup(10, seed);
      const table = await lm.logprobTable();
      const prompts = [[seed % 9], [(seed + 4) % 9]];
      const o = opts({ maxNewTokens: 6, numBeams: 4, lengthPenalty: 1 });
      const g = await run(new GreedySearch(), lm, prompts, o);
      const b = await run(new BeamSearch(), lm, prompts, o);
      prompts.forEach((p, i) => {
        const gScore = sumLogp(table, 10, p, g[i]!.tokens) / g[i]!.tokens.length;
        const bScore = sumLogp(table, 10, p, b[i]!.tokens) / b[i]!.tokens.length;
        expect(bScore).toBeCloseTo(b[i]!.score, 4);
        expect(bScore).toBeGreaterThanOrEqual(gScore - 1e-6);
      });
    }
  });

  it('no_repeat_ngram_size forbids repeated n-grams and min_new_tokens delays EOS', async () => {
    const { lm } = setup(6, 3);
    for (const search of [new GreedySearch(), new BeamSearch()]) {
      const [out] = await run(search, lm, [[0]], opts({ maxNewTokens: 12, noRepeatNgramSize: 2, minNewTokens: 5, numBeams: 3 }));
      const seq = [0, ...out!.tokens];
      const grams = new Set<string>();
      for (let i = 0; i + 2 <= seq.length; i++) {
        const g = `${seq[i]},${seq[i + 1]}`;
        expect(grams.has(g)).toBe(false);
        grams.add(g);
      }
      expect(out!.tokens.slice(0, 5)).not.toContain(5);
    }
  });

  it('stop tokens end a row like EOS', async () => {
    const { lm } = setup(12, 1);
    const [free] = await run(new GreedySearch(), lm, [[2]], opts({ maxNewTokens: 6 }));
    const stop = free!.tokens[1]!;
    const [stopped] = await run(new GreedySearch(), lm, [[2]], opts({ maxNewTokens: 6, stopTokenIds: [stop] }));
    expect(stopped!.tokens).toEqual(free!.tokens.slice(0, free!.tokens.indexOf(stop) + 1));
    expect(stopped!.finish).toBe(stop === 11 ? 'eos' : 'stop');
  });

  it('sampling is reproducible by seed, and top-k = 1 is greedy', async () => {
    const { lm } = setup(12, 4);
    const a = await run(new SamplingSearch(), lm, [[1], [2]], opts({ maxNewTokens: 8, seed: 9 }));
    const b = await run(new SamplingSearch(), lm, [[1], [2]], opts({ maxNewTokens: 8, seed: 9 }));
    expect(a.map((x) => x.tokens)).toEqual(b.map((x) => x.tokens));
    const k1 = await run(new SamplingSearch(), lm, [[1], [2]], opts({ maxNewTokens: 8, topK: 1 }));
    const g = await run(new GreedySearch(), lm, [[1], [2]], opts({ maxNewTokens: 8 }));
    expect(k1.map((x) => x.tokens)).toEqual(g.map((x) => x.tokens));
  });

  it('a logit bias steers each original row, through beams and finished rows, and is checked', async () => {
    const { e, lm } = setup(12, 3);
    const table = await lm.logprobTable();
    const prompts = [[1], [2]];
    const V = 12;
    // Row 0: +100 on token 5 (always chosen); row 1: no bias (the plain chain).
    const bias = new Float32Array(2 * V);
    bias[5] = 100;
    const logitBias = e.tensor(bias, [2, V]);
    const before = e.liveTensors;
    for (const search of [new GreedySearch(), new BeamSearch()]) {
      const s = new DecodeSession({ decoder: lm, prompts, conditioning: { logitBias } });
      try {
        const [steered, plain] = await search.decode(s, opts({ maxNewTokens: 4, numBeams: 3 }));
        expect(steered!.tokens).toEqual([5, 5, 5, 5]);
        const free = await run(search, lm, [[2]], opts({ maxNewTokens: 4, numBeams: 3 }));
        expect(plain!.tokens).toEqual(free[0]!.tokens);
        expect(plain!.score).toBeCloseTo(free[0]!.score, 5);
        expect(sumLogp(table, V, [2], plain!.tokens)).toBeCloseTo(plain!.logprobs.reduce((a, b) => a + b, 0), 4);
      } finally {
        s.dispose();
      }
    }
    expect(e.liveTensors).toBe(before);
    expect(() => new DecodeSession({ decoder: lm, prompts: [[1]], conditioning: { logitBias } })).toThrow(/logitBias must be \[1, 12\], got \[2, 12\]/);
    e.dispose(logitBias);
  });

  it('leaves no tensors behind', async () => {
    const { e, lm } = setup();
    const before = e.liveTensors;
    await run(new BeamSearch(), lm, [[1], [2]], opts({ maxNewTokens: 5, numBeams: 3 }));
    await run(new GreedySearch(), lm, [[1], [2]], opts({ maxNewTokens: 5 }));
    expect(e.liveTensors).toBe(before);
  });

  it('searches are found by name through the container', () => {
    const reg = createSearchRegistry();
    expect(reg.names().sort()).toEqual(['beam', 'greedy', 'sample']);
    expect(() => reg.get('nope')).toThrow('unknown search "nope": known searches are');
  });
});
