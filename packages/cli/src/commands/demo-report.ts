/**
 * What `captune demo` reports: the shares of captions naming exactly a shapes scene's colours,
 * kinds and (colour, kind) pairs (checked against the generator's scene metadata), and the
 * printed summary (samples next to references, the metrics table against the frozen GPT-2,
 * timings).
 */
import { table } from '../runtime/output.js';

type Core = typeof import('@captune/core');

/** Shares of an evaluation's captions naming the scene's colours / kinds / pairs (image i is scene i of seed 0). */
export function shapesAccuracy(
  core: Pick<Core, 'generateScene' | 'shapesCaptionAccuracy' | 'shapesImageIndex' | 'CaptuneError'>,
  ev: {
    captions: readonly { id: string; caption: string }[];
    records: readonly { id: string; image: string }[];
  },
): ShapesAccuracy {
  const byId = new Map(ev.captions.map((c) => [c.id, c.caption]));
  const acc = core.shapesCaptionAccuracy(
    ev.records.map((r) => {
      const index = core.shapesImageIndex(r.image);
      if (index === null)
        throw new core.CaptuneError(`${r.image}: not a shapes demo image (images/<index>.png)`);
      return { caption: byId.get(r.id) ?? '', scene: core.generateScene(0, index) };
    }),
  );
  const round = (x: number) => Number(x.toFixed(4));
  return {
    exact: round(acc.exact),
    colours: round(acc.colours),
    kinds: round(acc.kinds),
    images: acc.images,
  };
}

export interface ShapesAccuracy {
  readonly exact: number;
  readonly colours: number;
  readonly kinds: number;
  readonly images: number;
}

export function formatDemo(s: {
  method: string;
  metrics: Record<string, number>;
  baseline: Record<string, number>;
  shapes: { trained: ShapesAccuracy; baseline: ShapesAccuracy };
  samples: { image: string; caption: string; references: string[] }[];
  timings: Record<string, number>;
  fit?: { fitSeconds: number; embedSeconds: number };
  run: string;
}): string {
  const lines = [`shapes demo: ${s.method}`, ''];
  for (const x of s.samples)
    lines.push(`${x.image}\n  caption:    ${x.caption}\n  references: ${x.references.join(' | ')}`);
  const labels = Object.keys(s.metrics);
  const pct = (x: number) => `${(100 * x).toFixed(0)}%`;
  const named = (a: ShapesAccuracy) => [pct(a.colours), pct(a.kinds), pct(a.exact)];
  lines.push(
    '',
    table(
      ['captioner', ...labels, 'colours', 'kinds', 'exact'],
      [
        [
          `${s.method} (${s.fit ? 'fitted' : 'trained'})`,
          ...labels.map((l) => s.metrics[l]!.toFixed(4)),
          ...named(s.shapes.trained),
        ],
        [
          'frozen GPT-2, no adapter',
          ...labels.map((l) => (s.baseline[l] ?? NaN).toFixed(4)),
          ...named(s.shapes.baseline),
        ],
      ],
    ),
    `(colours / kinds / exact: share of the ${s.shapes.trained.images} test captions naming exactly the scene's object colours / shape kinds / (colour, kind) pairs)`,
  );
  lines.push(
    '',
    `timings (s): ${Object.entries(s.timings)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
    ...(s.fit
      ? [
          `closed-form fit: ${s.fit.fitSeconds.toFixed(3)} s (+ ${s.fit.embedSeconds.toFixed(1)} s embedding the training texts)`,
        ]
      : []),
    s.fit
      ? `fitted method: ${s.run} (captune eval --checkpoint uses it)`
      : `trained run: ${s.run} (captune caption IMAGE uses it)`,
  );
  return `${lines.join('\n')}\n`;
}
