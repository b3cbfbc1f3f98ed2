/**
 * The finished hypotheses of one batch row in beam search, as Hugging Face's `BeamHypotheses`:
 * the `numBeams` best by Σ log p / length^lengthPenalty, and the "is done" test used with
 * `early_stopping=False` (no running beam can still beat the worst kept hypothesis, judged at
 * the current length).
 */
export interface Hypothesis {
  readonly tokens: number[];
  readonly logprobs: number[];
  readonly sumLogprobs: number;
  readonly score: number;
  readonly finish: 'eos' | 'stop' | 'length';
}

export class BeamHypotheses {
  private readonly kept: Hypothesis[] = [];

  constructor(
    private readonly numBeams: number,
    private readonly lengthPenalty: number,
  ) {}

  get size(): number {
    return this.kept.length;
  }

  private worst(): number {
    return this.kept.length ? Math.min(...this.kept.map((h) => h.score)) : Infinity;
  }

  normalize(sumLogprobs: number, length: number): number {
    return sumLogprobs / Math.max(1, length) ** this.lengthPenalty;
  }

  add(tokens: number[], logprobs: number[], sumLogprobs: number, finish: Hypothesis['finish']): void {
    const score = this.normalize(sumLogprobs, tokens.length);
    if (this.kept.length < this.numBeams || score > this.worst()) {
      this.kept.push({ tokens, logprobs, sumLogprobs, score, finish });
      if (this.kept.length > this.numBeams) {
        let w = 0;
        this.kept.forEach((h, i) => {
          if (h.score < this.kept[w]!.score) w = i;
        });
        this.kept.splice(w, 1);
      }
    }
  }

  /** True when no running beam with best sum `bestRunning` at `length` tokens can enter the list. */
  isDone(bestRunning: number, length: number): boolean {
    if (this.kept.length < this.numBeams) return false;
    return this.worst() >= this.normalize(bestRunning, length);
  }

  best(): Hypothesis {
    if (!this.kept.length) throw new Error('BeamHypotheses.best: no hypothesis');
    return this.kept.reduce((a, b) => (b.score > a.score ? b : a));
  }
}
