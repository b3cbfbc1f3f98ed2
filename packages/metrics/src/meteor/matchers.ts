/**
 * METEOR 1.5's match modules (`ExactMatcher`, `StemMatcher`, `SynonymMatcher`,
 * `ParaphraseMatcher`) filling a `Stage`: every candidate match, listed by its start in line 2
 * (the reference), and per-word coverage counts. Like the Java code, word identity is decided on
 * `String.hashCode()` values, and stem/synonym matches require DIFFERENT words.
 */
import type { ParaphraseTable } from './paraphrase-table.js';
import type { SynonymDictionary } from './synonym-dictionary.js';

/** A match of line2[start, start+length) with line1[matchStart, matchStart+matchLength). */
export interface Match {
  readonly module: number;
  readonly start: number;
  readonly length: number;
  readonly matchStart: number;
  readonly matchLength: number;
}

export interface Stage {
  readonly keys1: readonly number[];
  readonly keys2: readonly number[];
  readonly matches: Match[][]; // [words2.length] lists
  readonly line1Coverage: number[];
  readonly line2Coverage: number[];
}

/** Java `String.hashCode()` (UTF-16 code units, 32-bit wrap-around). */
export function javaHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}

export function newStage(words1: readonly string[], words2: readonly string[]): Stage {
  return {
    keys1: words1.map(javaHash),
    keys2: words2.map(javaHash),
    matches: words2.map(() => []),
    line1Coverage: words1.map(() => 0),
    line2Coverage: words2.map(() => 0),
  };
}

function addMatch(s: Stage, m: Match): void {
  s.matches[m.start]!.push(m);
  for (let k = 0; k < m.matchLength; k++) s.line1Coverage[m.matchStart + k]!++;
  for (let k = 0; k < m.length; k++) s.line2Coverage[m.start + k]!++;
}

function oneToOne(module: number, j: number, i: number): Match {
  return { module, start: j, length: 1, matchStart: i, matchLength: 1 };
}

export function exactMatch(module: number, s: Stage): void {
  for (let j = 0; j < s.keys2.length; j++) {
    for (let i = 0; i < s.keys1.length; i++) if (s.keys1[i] === s.keys2[j]) addMatch(s, oneToOne(module, j, i));
  }
}

export function stemMatch(module: number, s: Stage, words1: readonly string[], words2: readonly string[], stem: (w: string) => string): void {
  const stems1 = words1.map((w) => javaHash(stem(w)));
  const stems2 = words2.map((w) => javaHash(stem(w)));
  for (let j = 0; j < stems2.length; j++) {
    for (let i = 0; i < stems1.length; i++) {
      if (stems1[i] === stems2[j] && s.keys1[i] !== s.keys2[j]) addMatch(s, oneToOne(module, j, i));
    }
  }
}

export function synonymMatch(module: number, s: Stage, words1: readonly string[], words2: readonly string[], dict: SynonymDictionary): void {
  const sets = (w: string): Set<string> => new Set([...dict.getSynSets(w), ...dict.getStemSynSets(w)]);
  const syn1 = words1.map(sets);
  const syn2 = words2.map(sets);
  for (let j = 0; j < words2.length; j++) {
    for (let i = 0; i < words1.length; i++) {
      let shared = false;
      for (const id of syn1[i]!) {
        if (syn2[j]!.has(id)) {
          shared = true;
          break;
        }
      }
      if (shared && s.keys1[i] !== s.keys2[j]) addMatch(s, oneToOne(module, j, i));
    }
  }
}

function phraseAt(line: readonly number[], at: number, words: readonly number[]): boolean {
  for (let k = 0; k < words.length; k++) if (at + k === line.length || line[at + k] !== words[k]) return false;
  return true;
}

export function paraphraseMatch(module: number, s: Stage, words1: readonly string[], words2: readonly string[], table: ParaphraseTable): void {
  const line1 = words1.map((w) => table.translate(w));
  const line2 = words2.map((w) => table.translate(w));
  // Paraphrases in line1 of line2 phrases
  for (let j = 0; j < line2.length; j++) {
    for (const [len, idx] of table.referencePaths(line2, j)) {
      const words = table.paraphrase(idx);
      for (let i = 0; i < line1.length; i++) {
        if (phraseAt(line1, i, words)) addMatch(s, { module, start: j, length: len, matchStart: i, matchLength: words.length });
      }
    }
  }
  // Paraphrases in line2 of line1 phrases
  for (let i = 0; i < line1.length; i++) {
    for (const [len, idx] of table.referencePaths(line1, i)) {
      const words = table.paraphrase(idx);
      for (let j = 0; j < line2.length; j++) {
        if (phraseAt(line2, j, words)) addMatch(s, { module, start: j, length: words.length, matchStart: i, matchLength: len });
      }
    }
  }
}
