/**
 * `score()` / `scoreAsync()`: the COCO caption metrics as pycocoevalcap's COCOEvalCap.evaluate()
 * reports them (PTB tokenisation of references and candidates, then Bleu(4), Meteor(), Rouge(),
 * Cider(), Spice() on the tokenised captions), with the same key names, plus the CLIP-based
 * scores on the raw captions (keys `CLIP-S`, `RefCLIP-S`, `aCLIP-S`, `RefaCLIP-S`).
 *
 * `score()` is synchronous and computes BLEU, ROUGE-L and CIDEr-D only; `scoreAsync()` computes
 * every metric. METEOR without a paraphrase table is reported under the key
 * `METEOR (no paraphrase)` instead of `METEOR`, so no output can mistake one for the other.
 */
import { CaptuneError } from '@captune/core';
import { bleuScores } from './bleu/bleu.js';
import { ciderDScores } from './cider/cider-d.js';
import {
  CLIP_SCORE_KEYS,
  clipScores,
  type ClipMetric,
  type ClipScoreOptions,
} from './clip-score/clip-score.js';
import { meteorScore, type MeteorOptions } from './meteor/meteor-score.js';
import { rougeLScores } from './rouge/rouge-l.js';
import { spiceScore, SpiceUnavailableError, type SpiceOptions } from './spice/spice-score.js';
import { cocoTokenizeAll } from './tokenize/coco-tokenize.js';
import { NgramVocabulary, type NgramCounts } from './util/ngram-counts.js';

export type NgramMetric = 'bleu' | 'rouge' | 'cider';
export type MetricName = NgramMetric | 'meteor' | 'spice' | ClipMetric;
/** The metrics `score()` computes (synchronously). */
export const NGRAM_METRICS: readonly NgramMetric[] = ['bleu', 'rouge', 'cider'];
/** @deprecated the same as NGRAM_METRICS. */
export const IMPLEMENTED_METRICS: readonly MetricName[] = NGRAM_METRICS;
/** Every metric name, in output order. */
export const METRIC_NAMES: readonly MetricName[] = [
  'bleu',
  'meteor',
  'rouge',
  'cider',
  'spice',
  'clips',
  'refclips',
  'aclips',
  'refaclips',
];
/** scoreAsync's default: what COCOEvalCap reports without SPICE (which needs Java and a jar). */
export const DEFAULT_METRICS: readonly MetricName[] = ['bleu', 'meteor', 'rouge', 'cider'];

/** Output keys in pycocoevalcap's order, then the CLIP-based ones. */
export const SCORE_KEYS = [
  'Bleu_1',
  'Bleu_2',
  'Bleu_3',
  'Bleu_4',
  'METEOR',
  'METEOR (no paraphrase)',
  'ROUGE_L',
  'CIDEr',
  'SPICE',
  'CLIP-S',
  'RefCLIP-S',
  'aCLIP-S',
  'RefaCLIP-S',
] as const;
export type ScoreKey = (typeof SCORE_KEYS)[number];
export type MetricScores = Partial<Record<ScoreKey, number>>;

export interface ScoreResult {
  readonly corpus: MetricScores;
  readonly perImage: Record<string, MetricScores>;
  /** Where a score may differ from the official tool (missing resources), one sentence each. */
  readonly notes: readonly string[];
}

export interface ScoreOptions {
  /** Which metrics to compute. @default ['bleu', 'rouge', 'cider'] */
  readonly metrics?: readonly MetricName[];
}

export interface ScoreAsyncOptions {
  /** Which metrics to compute. @default ['bleu', 'meteor', 'rouge', 'cider'] */
  readonly metrics?: readonly MetricName[];
  /** METEOR resources (paraphrase table, function words, synonyms). */
  readonly meteor?: MeteorOptions;
  /** SPICE: the official jar and Java; `spice` without `jarPath` is an error saying why. */
  readonly spice?: SpiceOptions;
  /** CLIP-based metrics: an embedder, the image file of each id, and for aCLIP-S the alignment. */
  readonly clip?: Omit<ClipScoreOptions, 'metrics'>;
}

/** Python's str.split() whitespace (str.isspace), which also splits on U+00A0 inside PTB tokens. */
const PY_WS =
  // eslint-disable-next-line no-control-regex -- these control characters are whitespace here
  /[\t\n\u000B\u000C\r\u001C-\u001F \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]+/u;
const PY_WS_NOT_SPACE =
  // eslint-disable-next-line no-control-regex -- these control characters are whitespace here
  /[\t\n\u000B\u000C\r\u001C-\u001F\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]/u;

/** A tokenised caption as each scorer sees it. */
interface Prepared {
  /** `s.split()` ids (BLEU, CIDEr). */
  readonly words: Int32Array;
  /** `s.split(' ')` ids (ROUGE-L). */
  readonly spaceSplit: Int32Array;
}

/** Image ids and PTB-tokenised captions (references in one batch, candidates in another). */
interface TokenizedCorpus {
  readonly imageIds: readonly string[];
  readonly refTok: readonly string[][];
  readonly candTok: readonly string[];
}

function describeIds(ids: readonly string[]): string {
  const shown = ids
    .slice(0, 5)
    .map((id) => JSON.stringify(id))
    .join(', ');
  return ids.length > 5 ? `${shown} and ${ids.length - 5} more` : shown;
}

/** Throws a CaptuneError naming the ids that have a candidate but no references, or the reverse. */
export function checkImageIds(
  references: Readonly<Record<string, readonly string[]>>,
  candidates: Readonly<Record<string, string>>,
): void {
  const imageIds = Object.keys(references);
  const noRefs = Object.keys(candidates).filter((id) => !Object.hasOwn(references, id));
  if (noRefs.length > 0)
    throw new CaptuneError(`candidates without references for image ids ${describeIds(noRefs)}`);
  const noCand = imageIds.filter((id) => !Object.hasOwn(candidates, id));
  if (noCand.length > 0)
    throw new CaptuneError(`references without a candidate for image ids ${describeIds(noCand)}`);
  const empty = imageIds.filter((id) => references[id]!.length === 0);
  if (empty.length > 0)
    throw new CaptuneError(`images with an empty reference list: ${describeIds(empty)}`);
}

function tokenizeCorpus(
  references: Readonly<Record<string, readonly string[]>>,
  candidates: Readonly<Record<string, string>>,
): TokenizedCorpus {
  checkImageIds(references, candidates);
  const imageIds = Object.keys(references);
  const cache = new Map<string, string>();
  const refTok = imageIds.map((id) => cocoTokenizeAll(references[id]!, cache));
  const candTok = cocoTokenizeAll(
    imageIds.map((id) => candidates[id]!),
    cache,
  );
  return { imageIds, refTok, candTok };
}

function ngramScores(
  tok: TokenizedCorpus,
  metrics: readonly MetricName[],
): { corpus: MetricScores; perImage: Record<string, MetricScores> } {
  const { imageIds, refTok, candTok } = tok;
  // Unsized: the n-gram tables grow as needed (pre-sizing them from the text length was slower).
  const vocab = new NgramVocabulary();
  const prepared = new Map<string, Prepared>();
  const prep = (s: string): Prepared => {
    let p = prepared.get(s);
    if (p === undefined) {
      const space = s.split(' ');
      const spaceSplit = vocab.wordIds(space);
      const ws = PY_WS_NOT_SPACE.test(s)
        ? s.split(PY_WS).filter((w) => w.length > 0)
        : s.length === 0
          ? []
          : space;
      const words = ws === space ? spaceSplit : vocab.wordIds(ws);
      p = { words, spaceSplit };
      prepared.set(s, p);
    }
    return p;
  };
  const refPrep = refTok.map((caps) => caps.map(prep));
  const candPrep = candTok.map(prep);

  const corpus: MetricScores = {};
  const perImage: Record<string, MetricScores> = {};
  for (const id of imageIds) perImage[id] = {};
  const setPer = (key: ScoreKey, values: Float64Array): void => {
    for (let i = 0; i < imageIds.length; i++) perImage[imageIds[i]!]![key] = values[i]!;
  };

  const counted = new Map<Int32Array, NgramCounts>();
  const count = (p: Prepared): NgramCounts => {
    let c = counted.get(p.words);
    if (c === undefined) {
      c = vocab.count(p.words);
      counted.set(p.words, c);
    }
    return c;
  };
  const needCounts = metrics.includes('bleu') || metrics.includes('cider');
  const refCounts = needCounts ? refPrep.map((ps) => ps.map(count)) : [];
  const candCounts = needCounts ? candPrep.map(count) : [];
  const sizes = vocab.sizes();

  if (metrics.includes('bleu')) {
    const b = bleuScores(candCounts, refCounts, sizes);
    (['Bleu_1', 'Bleu_2', 'Bleu_3', 'Bleu_4'] as const).forEach((key, k) => {
      corpus[key] = b.corpus[k];
      setPer(key, b.perImage[k]);
    });
  }
  if (metrics.includes('rouge')) {
    const r = rougeLScores(
      candPrep.map((p) => p.spaceSplit),
      refPrep.map((ps) => ps.map((p) => p.spaceSplit)),
    );
    corpus.ROUGE_L = r.corpus;
    setPer('ROUGE_L', r.perImage);
  }
  if (metrics.includes('cider')) {
    const c = ciderDScores(candCounts, refCounts, sizes);
    corpus.CIDEr = c.corpus;
    setPer('CIDEr', c.perImage);
  }
  return { corpus, perImage };
}

function checkNames(metrics: readonly MetricName[]): void {
  for (const m of metrics) {
    if (!METRIC_NAMES.includes(m))
      throw new CaptuneError(`unknown metric "${m}"; available: ${METRIC_NAMES.join(', ')}`);
  }
}

/** BLEU-1..4, ROUGE-L and CIDEr-D, synchronously (the other metrics need `scoreAsync`). */
export function score(
  references: Readonly<Record<string, readonly string[]>>,
  candidates: Readonly<Record<string, string>>,
  options: ScoreOptions = {},
): ScoreResult {
  const metrics = options.metrics ?? NGRAM_METRICS;
  checkNames(metrics);
  for (const m of metrics) {
    if (!(NGRAM_METRICS as readonly string[]).includes(m)) {
      throw new CaptuneError(
        `metric "${m}" needs scoreAsync() (score() computes ${NGRAM_METRICS.join(', ')})`,
      );
    }
  }
  return { ...ngramScores(tokenizeCorpus(references, candidates), metrics), notes: [] };
}

/** Every metric; resources a metric needs are checked before any work starts. */
export async function scoreAsync(
  references: Readonly<Record<string, readonly string[]>>,
  candidates: Readonly<Record<string, string>>,
  options: ScoreAsyncOptions = {},
): Promise<ScoreResult> {
  const metrics = options.metrics ?? DEFAULT_METRICS;
  checkNames(metrics);
  const clipMetrics = metrics.filter((m): m is ClipMetric => m in CLIP_SCORE_KEYS);
  if (metrics.includes('spice') && !options.spice?.jarPath)
    throw new SpiceUnavailableError('no SPICE jar given');
  if (clipMetrics.length > 0 && options.clip === undefined) {
    throw new CaptuneError(
      `${clipMetrics.map((m) => CLIP_SCORE_KEYS[m]).join(', ')} need a CLIP model and the images (--clip-model DIR --images DIR)`,
    );
  }
  if (
    (metrics.includes('aclips') || metrics.includes('refaclips')) &&
    options.clip?.alignment === undefined
  ) {
    throw new CaptuneError(
      'aCLIP-S and RefaCLIP-S need a fitted ReCap alignment (--alignment FILE)',
    );
  }
  const tok = tokenizeCorpus(references, candidates);
  const { corpus, perImage } = ngramScores(tok, metrics);
  const notes: string[] = [];
  const merge = (
    key: ScoreKey,
    c: number,
    per: Readonly<Record<string, number | undefined>>,
  ): void => {
    corpus[key] = c;
    for (const id of tok.imageIds) perImage[id]![key] = per[id]!;
  };
  const refMap = (): Record<string, string[]> =>
    Object.fromEntries(tok.imageIds.map((id, i) => [id, tok.refTok[i]!]));
  const candMap = (): Record<string, string> =>
    Object.fromEntries(tok.imageIds.map((id, i) => [id, tok.candTok[i]!]));
  if (metrics.includes('meteor')) {
    const m = await meteorScore(refMap(), candMap(), options.meteor ?? {});
    merge(m.label, m.corpus, m.perImage);
    notes.push(...m.notes.map((n) => `${m.label}: ${n}`));
  }
  if (metrics.includes('spice')) {
    const s = await spiceScore(refMap(), candMap(), options.spice!);
    merge('SPICE', s.corpus, s.perImage);
  }
  if (clipMetrics.length > 0) {
    const c = await clipScores(references, candidates, { ...options.clip!, metrics: clipMetrics });
    for (const m of clipMetrics) {
      const key = CLIP_SCORE_KEYS[m];
      merge(
        key,
        c.corpus[key]!,
        Object.fromEntries(tok.imageIds.map((id) => [id, c.perImage[id]![key]])),
      );
    }
  }
  return {
    corpus: ordered(corpus),
    perImage: Object.fromEntries(tok.imageIds.map((id) => [id, ordered(perImage[id]!)])),
    notes,
  };
}

/** Keys in SCORE_KEYS order (JSON output lists them as pycocoevalcap does). */
function ordered(s: MetricScores): MetricScores {
  const out: MetricScores = {};
  for (const k of SCORE_KEYS) if (s[k] !== undefined) out[k] = s[k];
  return out;
}
