/**
 * METEOR 1.5's `Aligner.align` + `resolve`: run the match modules in order, fix the one-to-one
 * non-overlapping matches, then a left-to-right beam search (beam 40) over line 2 positions,
 * ranking partial alignments with `Constants.PARTIAL_COMPARE_TOTAL` (more weighted matches, then
 * fewer chunks, then smaller distance; stable sort). Java quirks are kept on purpose:
 * `matches1/matches2` are `int` fields updated with `+=` of a double (so a 0.5-weighted one-word
 * match truncates away), and a new path's distance is added to its PARENT path.
 */
import { exactMatch, newStage, paraphraseMatch, stemMatch, synonymMatch, type Match, type Stage } from './matchers.js';
import type { ParaphraseTable } from './paraphrase-table.js';
import type { SynonymDictionary } from './synonym-dictionary.js';

export type MeteorModule = 'exact' | 'stem' | 'synonym' | 'paraphrase';

export interface AlignerResources {
  readonly modules: readonly MeteorModule[];
  /** Weights used only to rank partial alignments (MeteorScorer sets 1, 0.5, 0.5, 0.5). */
  readonly searchWeights: readonly number[];
  readonly beamSize: number;
  readonly stem: (w: string) => string;
  readonly synonyms?: SynonymDictionary;
  readonly paraphrases?: ParaphraseTable;
  readonly functionWords: ReadonlySet<string>;
}

export interface Alignment {
  readonly words1: readonly string[]; // test (hypothesis)
  readonly words2: readonly string[]; // reference
  readonly matches: readonly (Match | null)[]; // [words2.length], a match starting at each line2 index
  readonly line1FunctionWords: number;
  readonly line2FunctionWords: number;
  readonly isFunction1: readonly boolean[];
  readonly isFunction2: readonly boolean[];
  /** Per module: [content1, content2, function1, function2] word counts. */
  readonly moduleCounts: readonly (readonly [number, number, number, number])[];
  readonly numChunks: number;
}

class Partial {
  matchCount = 0;
  matches1 = 0; // Java int
  matches2 = 0; // Java int
  allMatches1 = 0;
  allMatches2 = 0;
  chunks = 0;
  idx = 0;
  lastMatchEnd = -1;
  distance = 0;
  constructor(
    readonly matches: (Match | null)[],
    readonly used1: boolean[],
    readonly used2: boolean[],
  ) {}

  copy(): Partial {
    const p = new Partial([...this.matches], [...this.used1], [...this.used2]);
    Object.assign(p, { matchCount: this.matchCount, matches1: this.matches1, matches2: this.matches2 });
    Object.assign(p, { allMatches1: this.allMatches1, allMatches2: this.allMatches2, chunks: this.chunks });
    Object.assign(p, { idx: this.idx, lastMatchEnd: this.lastMatchEnd, distance: this.distance });
    return p;
  }

  isUsed(m: Match): boolean {
    for (let i = 0; i < m.length; i++) if (this.used2[m.start + i]) return true;
    for (let i = 0; i < m.matchLength; i++) if (this.used1[m.matchStart + i]) return true;
    return false;
  }

  setUsed(m: Match): void {
    for (let i = 0; i < m.length; i++) this.used2[m.start + i] = true;
    for (let i = 0; i < m.matchLength; i++) this.used1[m.matchStart + i] = true;
  }

  /** Stats update shared by the fixed-match and new-match cases (Java int `+=` double truncates). */
  take(m: Match, weight: number): void {
    this.matchCount++;
    this.matches1 = Math.trunc(this.matches1 + m.matchLength * weight);
    this.matches2 = Math.trunc(this.matches2 + m.length * weight);
    this.allMatches1 += m.matchLength;
    this.allMatches2 += m.length;
    if (this.lastMatchEnd !== -1 && m.matchStart !== this.lastMatchEnd) this.chunks++;
    this.idx = m.start + m.length;
    this.lastMatchEnd = m.matchStart + m.matchLength;
  }
}

/** `Constants.PARTIAL_COMPARE_TOTAL`. */
function compareTotal(x: Partial, y: Partial): number {
  const matchDiff = y.matches1 + y.matches2 - (x.matches1 + x.matches2);
  if (matchDiff > 0) return 1;
  if (matchDiff < 0) return -1;
  if (x.chunks !== y.chunks) return x.chunks - y.chunks;
  return x.distance - y.distance;
}

function resolve(s: Stage, start: Partial, res: AlignerResources): Partial {
  let next: Partial[] = [start];
  for (let current = 0; current <= s.matches.length; current++) {
    const paths = next.sort(compareTotal);
    next = [];
    for (let rank = 0; rank < res.beamSize && rank < paths.length; rank++) {
      const path = paths[rank]!;
      if (current === s.matches.length) {
        if (path.lastMatchEnd !== -1) path.chunks++;
        next.push(path);
        continue;
      }
      if (path.used2[current]) {
        if (current < path.idx) next.push(path);
        else {
          const m = path.matches[path.idx];
          if (m !== null && m !== undefined) {
            path.take(m, res.searchWeights[m.module]!);
            path.distance += Math.abs(m.start - m.matchStart);
            next.push(path);
          }
        }
        continue;
      }
      for (const m of s.matches[current]!) {
        if (path.isUsed(m)) continue;
        const np = path.copy();
        np.setUsed(m);
        np.matches[current] = m;
        np.take(m, res.searchWeights[m.module]!);
        path.distance += Math.abs(m.start - m.matchStart); // sic: the parent, as in Aligner.java
        next.push(np);
      }
      if (path.lastMatchEnd !== -1) {
        path.chunks++;
        path.lastMatchEnd = -1;
      }
      path.idx++;
      next.push(path);
    }
    if (next.length === 0) next.push(paths[0]!);
  }
  return next.sort(compareTotal)[0]!;
}

function countChunks(matches: readonly (Match | null)[]): number {
  let chunks = 0;
  let idx = 0;
  let lastMatchEnd = -1;
  while (idx < matches.length) {
    const m = matches[idx];
    if (m === null || m === undefined) {
      if (lastMatchEnd !== -1) {
        chunks++;
        lastMatchEnd = -1;
      }
      idx++;
    } else {
      if (lastMatchEnd !== -1 && m.matchStart !== lastMatchEnd) chunks++;
      idx = m.start + m.length;
      lastMatchEnd = m.matchStart + m.matchLength;
    }
  }
  return lastMatchEnd !== -1 ? chunks + 1 : chunks;
}

/** Aligns test words (line 1) with reference words (line 2). */
export function align(words1: readonly string[], words2: readonly string[], res: AlignerResources): Alignment {
  const s = newStage(words1, words2);
  const identical = words1.length === words2.length && s.keys1.every((k, i) => k === s.keys2[i]);
  const modsUsed = identical ? 1 : res.modules.length;
  for (let mod = 0; mod < modsUsed; mod++) {
    const name = res.modules[mod]!;
    if (name === 'exact') exactMatch(mod, s);
    else if (name === 'stem') stemMatch(mod, s, words1, words2, res.stem);
    else if (name === 'synonym' && res.synonyms !== undefined) synonymMatch(mod, s, words1, words2, res.synonyms);
    else if (name === 'paraphrase' && res.paraphrases !== undefined) paraphraseMatch(mod, s, words1, words2, res.paraphrases);
  }

  const start = new Partial(words2.map(() => null), words1.map(() => false), words2.map(() => false));
  for (let i = 0; i < s.matches.length; i++) {
    const list = s.matches[i]!;
    if (list.length !== 1) continue;
    const m = list[0]!;
    let overlap = false;
    for (let j = 0; j < m.length; j++) if (s.line2Coverage[i + j] !== 1) overlap = true;
    for (let j = 0; j < m.matchLength; j++) if (s.line1Coverage[m.matchStart + j] !== 1) overlap = true;
    if (!overlap) {
      start.matches[i] = m;
      start.setUsed(m);
    }
  }
  const best = resolve(s, start, res);

  const isFunction1 = words1.map((w) => res.functionWords.has(w.toLowerCase()));
  const isFunction2 = words2.map((w) => res.functionWords.has(w.toLowerCase()));
  const counts = res.modules.map(() => [0, 0, 0, 0] as [number, number, number, number]);
  for (const m of best.matches) {
    if (m === null) continue;
    const c = counts[m.module]!;
    for (let j = 0; j < m.matchLength; j++) c[isFunction1[m.matchStart + j] ? 2 : 0]++;
    for (let j = 0; j < m.length; j++) c[isFunction2[m.start + j] ? 3 : 1]++;
  }
  return {
    words1,
    words2,
    matches: best.matches,
    line1FunctionWords: isFunction1.filter(Boolean).length,
    line2FunctionWords: isFunction2.filter(Boolean).length,
    isFunction1,
    isFunction2,
    moduleCounts: counts,
    numChunks: countChunks(best.matches),
  };
}
