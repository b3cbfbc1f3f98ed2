import { describe, expect, it } from 'vitest';
import { align, type AlignerResources } from './aligner.js';
import { MeteorScorer } from './meteor-scorer.js';
import { METEOR_15_EN_DEFAULT } from './meteor-stats.js';
import { ParaphraseTable } from './paraphrase-table.js';
import { snowballEnglishStem } from './snowball-english.js';

const base: AlignerResources = {
  modules: ['exact', 'stem', 'synonym', 'paraphrase'],
  searchWeights: [1.0, 0.5, 0.5, 0.5],
  beamSize: 40,
  stem: snowballEnglishStem,
  functionWords: new Set(),
};
const w = (s: string): string[] => s.split(' ');
/** [line2 start → line1 start, module] for every chosen match. */
const pairs = (a: ReturnType<typeof align>): string[] =>
  a.matches.flatMap((m) => (m === null ? [] : [`${m.start}:${m.length}->${m.matchStart}:${m.matchLength}@${m.module}`]));

describe('METEOR aligner (beam search)', () => {
  it('fixes unique matches and counts chunks of a reordering', () => {
    const a = align(w('the cat sat'), w('sat the cat'), base);
    expect(pairs(a)).toEqual(['0:1->2:1@0', '1:1->0:1@0', '2:1->1:1@0']);
    expect(a.numChunks).toBe(2); // "sat" | "the cat"
  });

  it('resolves repeated words to the alignment with the fewest chunks', () => {
    // Hand-traced beam search: ref "qa zc qa zb", test "qa zb qa zc". Taking ref0 → test2 keeps
    // "qa zc" contiguous; ref0 → test0 would cost a third chunk.
    const a = align(w('qa zb qa zc'), w('qa zc qa zb'), base);
    expect(pairs(a)).toEqual(['0:1->2:1@0', '1:1->3:1@0', '2:1->0:1@0', '3:1->1:1@0']);
    expect(a.numChunks).toBe(2);
  });

  it('uses stems for different words with the same Snowball stem', () => {
    const a = align(w('the dogs run'), w('the dog runs'), base);
    expect(pairs(a)).toEqual(['0:1->0:1@0', '1:1->1:1@1', '2:1->2:1@1']);
    expect(a.numChunks).toBe(1);
  });

  it('prefers a two-word paraphrase over a one-word stem match', () => {
    const table = ParaphraseTable.fromText('0.3\nsits\nis sitting\n');
    const res = { ...base, paraphrases: table };
    const a = align(w('a cat is sitting'), w('a cat sits'), res);
    expect(pairs(a)).toEqual(['0:1->0:1@0', '1:1->1:1@0', '2:1->2:2@3']);
    // Hand computation: P = (2·1 + 2·0.6)/4 = 0.8, R = (2·1 + 1·0.6)/3, one chunk covering
    // everything → no fragmentation penalty; score = Fmean = 1 / (0.15/P + 0.85/R).
    const stats = new MeteorScorer(res, METEOR_15_EN_DEFAULT).statsForPair('a cat is sitting', 'a cat sits');
    const p = 0.8;
    const r = 2.6 / 3;
    expect(stats.precision).toBeCloseTo(p, 12);
    expect(stats.recall).toBeCloseTo(r, 12);
    expect(stats.score).toBeCloseTo(1 / (0.15 / p + 0.85 / r), 12);
  });

  it('drops a lone stem match that costs a chunk: 0.5 weights truncate in Java int fields', () => {
    // ref "run zz", test "zz runs running": "run" has two stem candidates (so no fixed match);
    // taking one adds trunc(0.5) = 0 to the int match totals but a second chunk, so the path that
    // skips it ranks first (with real-valued totals it would win).
    const a = align(w('zz runs running'), w('run zz'), base);
    expect(pairs(a)).toEqual(['1:1->0:1@0']);
  });

  it('only runs the exact module on identical sentences', () => {
    const table = ParaphraseTable.fromText('0.3\ncat\nfeline\n');
    const a = align(w('a cat'), w('a cat'), { ...base, paraphrases: table });
    expect(pairs(a)).toEqual(['0:1->0:1@0', '1:1->1:1@0']);
  });
});
