/**
 * One METEOR 1.5 `-stdio` session as pycocoevalcap drives it (`meteor.py`): each image becomes a
 * `SCORE ||| ref1 ||| … ||| hyp` line (hypothesis with "|||" removed and double spaces collapsed),
 * which Meteor.java splits on "|||", normalises (`-norm`), scores against every reference and keeps
 * the best (`MeteorScorer.getMeteorStats(test, references)`: first reference with the highest
 * score); `EVAL` then prints each segment's score and the score of the summed statistics.
 */
import { align, type AlignerResources } from './aligner.js';
import { MeteorStats, type MeteorParameters } from './meteor-stats.js';
import { javaTokenize, meteorNormalize } from './normalizer.js';

/** How Meteor.java's stdio loop sees the line pycocoevalcap's `_stat` writes. */
export function stdioSegments(references: readonly string[], hypothesis: string): { refs: string[]; test: string } {
  const hyp = hypothesis.replaceAll('|||', '').replaceAll('  ', ' ');
  const line = ['SCORE', references.join(' ||| '), hyp].join(' ||| ');
  const parts = line.split('|||');
  while (parts.length > 0 && parts.at(-1) === '') parts.pop(); // Java String.split drops trailing empties
  // eslint-disable-next-line no-control-regex -- Java's String.trim strips U+0000..U+0020
  const javaTrim = (s: string): string => s.replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, '');
  return { refs: parts.slice(1, -1).map(javaTrim), test: javaTrim(parts.at(-1) ?? '') };
}

export class MeteorScorer {
  constructor(
    private readonly resources: AlignerResources,
    private readonly params: MeteorParameters,
  ) {}

  /** Stats of an already normalised test line against one normalised reference line. */
  statsForPair(test: string, reference: string): MeteorStats {
    const a = align(javaTokenize(test), javaTokenize(reference), this.resources);
    return MeteorStats.fromAlignment(a).compute(this.params);
  }

  /** `getMeteorStats(test, references)` with `-norm`: best reference by score, first on ties. */
  segmentStats(test: string, references: readonly string[]): MeteorStats {
    const t = meteorNormalize(test);
    let best: MeteorStats | undefined;
    for (const ref of references) {
      const cur = this.statsForPair(t, meteorNormalize(ref));
      if (best === undefined || cur.score > best.score) best = cur;
    }
    if (best === undefined) {
      const empty = new MeteorStats();
      empty.score = -1;
      return empty;
    }
    return best;
  }

  /** The `EVAL` line: per-segment scores recomputed from stats, then the aggregate score. */
  evaluate(segments: readonly MeteorStats[]): { perSegment: number[]; corpus: number } {
    const agg = new MeteorStats();
    const perSegment = segments.map((s) => {
      agg.add(s);
      return s.compute(this.params).score;
    });
    return { perSegment, corpus: agg.compute(this.params).score };
  }
}
