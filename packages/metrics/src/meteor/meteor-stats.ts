/**
 * METEOR 1.5's sufficient statistics and score (`MeteorStats`, `MeteorScorer.computeMetrics`):
 * parameterised precision/recall over content (weight delta) and function (1 - delta) words with
 * per-module weights, Fmean with alpha, fragmentation penalty gamma * (chunks / avg matches)^beta,
 * score = Fmean * (1 - penalty), NaN → 0. `addStats` aggregates as `EVAL` does for the corpus
 * score (a segment matched perfectly in one chunk contributes no chunks). Floating-point
 * operations are written in the Java evaluation order.
 */
import type { Alignment } from './aligner.js';

export const MAX_MODULES = 4;

export interface MeteorParameters {
  readonly alpha: number;
  readonly beta: number;
  readonly gamma: number;
  readonly delta: number;
  /** Per-module weights, in module order (exact, stem, synonym, paraphrase). */
  readonly moduleWeights: readonly number[];
}

/** Task "default" (= rank) for English: `Constants.PARAM_RANK[LANG_EN]`, `WEIGHT_RANK[LANG_EN]`. */
export const METEOR_15_EN_DEFAULT: MeteorParameters = {
  alpha: 0.85,
  beta: 0.2,
  gamma: 0.6,
  delta: 0.75,
  moduleWeights: [1.0, 0.6, 0.8, 0.6],
};

export class MeteorStats {
  testLength = 0;
  referenceLength = 0;
  testFunctionWords = 0;
  referenceFunctionWords = 0;
  testTotalMatches = 0;
  referenceTotalMatches = 0;
  testStageMatchesContent: number[] = [0, 0, 0, 0];
  referenceStageMatchesContent: number[] = [0, 0, 0, 0];
  testStageMatchesFunction: number[] = [0, 0, 0, 0];
  referenceStageMatchesFunction: number[] = [0, 0, 0, 0];
  chunks = 0;
  testWordMatches = 0;
  referenceWordMatches = 0;
  // computed
  precision = 0;
  recall = 0;
  fMean = 0;
  fragPenalty = 0;
  score = 0;

  static fromAlignment(a: Alignment): MeteorStats {
    const s = new MeteorStats();
    s.testLength = a.words1.length;
    s.referenceLength = a.words2.length;
    s.testFunctionWords = a.line1FunctionWords;
    s.referenceFunctionWords = a.line2FunctionWords;
    a.moduleCounts.forEach(([c1, c2, f1, f2], i) => {
      s.testStageMatchesContent[i] = c1;
      s.referenceStageMatchesContent[i] = c2;
      s.testStageMatchesFunction[i] = f1;
      s.referenceStageMatchesFunction[i] = f2;
      s.testTotalMatches += c1 + f1;
      s.referenceTotalMatches += c2 + f2;
    });
    s.testWordMatches = s.testTotalMatches;
    s.referenceWordMatches = s.referenceTotalMatches;
    s.chunks = a.numChunks;
    return s;
  }

  /** The 23 numbers of `MeteorStats.toString()` (what `SCORE` prints and `EVAL` reads back). */
  toArray(): number[] {
    const out = [this.testLength, this.referenceLength, this.testFunctionWords, this.referenceFunctionWords];
    for (let i = 0; i < MAX_MODULES; i++) {
      out.push(this.testStageMatchesContent[i]!, this.referenceStageMatchesContent[i]!);
      out.push(this.testStageMatchesFunction[i]!, this.referenceStageMatchesFunction[i]!);
    }
    out.push(this.chunks, this.testWordMatches, this.referenceWordMatches);
    return out;
  }

  /** `MeteorStats.addStats`. */
  add(ss: MeteorStats): void {
    this.testLength += ss.testLength;
    this.referenceLength += ss.referenceLength;
    this.testFunctionWords += ss.testFunctionWords;
    this.referenceFunctionWords += ss.referenceFunctionWords;
    this.testTotalMatches += ss.testTotalMatches;
    this.referenceTotalMatches += ss.referenceTotalMatches;
    for (let i = 0; i < MAX_MODULES; i++) {
      this.testStageMatchesContent[i]! += ss.testStageMatchesContent[i]!;
      this.referenceStageMatchesContent[i]! += ss.referenceStageMatchesContent[i]!;
      this.testStageMatchesFunction[i]! += ss.testStageMatchesFunction[i]!;
      this.referenceStageMatchesFunction[i]! += ss.referenceStageMatchesFunction[i]!;
    }
    const perfect = ss.testTotalMatches === ss.testLength && ss.referenceTotalMatches === ss.referenceLength && ss.chunks === 1;
    if (!perfect) this.chunks += ss.chunks;
    this.testWordMatches += ss.testWordMatches;
    this.referenceWordMatches += ss.referenceWordMatches;
  }

  /** `MeteorScorer.computeMetrics`: fills precision, recall, fMean, fragPenalty and score. */
  compute(p: MeteorParameters): this {
    const { alpha, beta, gamma, delta, moduleWeights: w } = p;
    const testWeightedLength = delta * (this.testLength - this.testFunctionWords) + (1.0 - delta) * this.testFunctionWords;
    const refWeightedLength =
      delta * (this.referenceLength - this.referenceFunctionWords) + (1.0 - delta) * this.referenceFunctionWords;
    let testWeighted = 0;
    let refWeighted = 0;
    for (let i = 0; i < w.length; i++) testWeighted += this.testStageMatchesContent[i]! * w[i]! * delta;
    for (let i = 0; i < w.length; i++) refWeighted += this.referenceStageMatchesContent[i]! * w[i]! * delta;
    for (let i = 0; i < w.length; i++) testWeighted += this.testStageMatchesFunction[i]! * w[i]! * (1.0 - delta);
    for (let i = 0; i < w.length; i++) refWeighted += this.referenceStageMatchesFunction[i]! * w[i]! * (1.0 - delta);
    this.precision = testWeighted / testWeightedLength;
    this.recall = refWeighted / refWeightedLength;
    this.fMean = 1.0 / ((1.0 - alpha) / this.precision + alpha / this.recall);
    const perfect = this.testTotalMatches === this.testLength && this.referenceTotalMatches === this.referenceLength && this.chunks === 1;
    const frag = perfect ? 0 : this.chunks / ((this.testWordMatches + this.referenceWordMatches) / 2);
    this.fragPenalty = gamma * Math.pow(frag, beta);
    const score = this.fMean * (1.0 - this.fragPenalty);
    this.score = Number.isNaN(score) ? 0 : Math.max(score, 0.0);
    return this;
  }
}
