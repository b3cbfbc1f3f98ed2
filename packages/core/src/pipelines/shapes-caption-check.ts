/**
 * Does a caption of a shapes-world image name what is in it? Checked against the scene's own
 * metadata (shapes/generate-scene.ts), not against reference captions: whether the caption names
 * exactly the scene's set of object colours, exactly its set of shape kinds, and exactly its set
 * of (colour, kind) pairs. A word counts in singular or plural ("two red stars"); background
 * colours (white, black, gray) are not object colours. Used by `captune demo` and
 * scripts/pretrain-shapes-ituning-check.ts.
 */
import { pluralOf, SHAPE_COLORS, SHAPE_KINDS, type ShapeScene } from '../shapes/shape-scene.js';

export interface ShapesCaptionMatch {
  /** The caption names exactly the scene's (colour, kind) pairs. */
  readonly exact: boolean;
  /** … exactly the scene's set of object colours. */
  readonly colours: boolean;
  /** … exactly the scene's set of shape kinds. */
  readonly kinds: boolean;
}

const word = (w: string) => new RegExp(`\\b${w}s?\\b`);
const COLOUR_RE = SHAPE_COLORS.map((c) => [c, word(c)] as const);
const KIND_RE = SHAPE_KINDS.map((k) => [k, word(k)] as const);
const PAIR_RE = SHAPE_COLORS.flatMap((c) =>
  SHAPE_KINDS.map((k) => [`${c} ${k}`, new RegExp(`\\b${c} (${k}|${pluralOf(k)})\\b`)] as const),
);

function sameSet(said: readonly string[], truth: readonly string[]): boolean {
  const t = new Set(truth);
  return said.length === t.size && said.every((w) => t.has(w));
}

export function shapesCaptionMatch(caption: string, scene: ShapeScene): ShapesCaptionMatch {
  const text = caption.toLowerCase();
  const said = (res: readonly (readonly [string, RegExp])[]) =>
    res.filter(([, re]) => re.test(text)).map(([w]) => w);
  return {
    exact: sameSet(
      said(PAIR_RE),
      scene.objects.map((o) => `${o.color} ${o.kind}`),
    ),
    colours: sameSet(
      said(COLOUR_RE),
      scene.objects.map((o) => o.color),
    ),
    kinds: sameSet(
      said(KIND_RE),
      scene.objects.map((o) => o.kind),
    ),
  };
}

/** Shares (0–1) of captions that match, over `(caption, scene)` pairs. */
export interface ShapesCaptionAccuracy {
  readonly exact: number;
  readonly colours: number;
  readonly kinds: number;
  readonly images: number;
}

export function shapesCaptionAccuracy(
  pairs: readonly { readonly caption: string; readonly scene: ShapeScene }[],
): ShapesCaptionAccuracy {
  const n = pairs.length;
  const counts = { exact: 0, colours: 0, kinds: 0 };
  for (const p of pairs) {
    const m = shapesCaptionMatch(p.caption, p.scene);
    if (m.exact) counts.exact++;
    if (m.colours) counts.colours++;
    if (m.kinds) counts.kinds++;
  }
  const share = (k: number) => (n === 0 ? 0 : k / n);
  return {
    exact: share(counts.exact),
    colours: share(counts.colours),
    kinds: share(counts.kinds),
    images: n,
  };
}

/** Index of a generated shapes image from its file name (`images/000123.png` → 123), or null. */
export function shapesImageIndex(path: string): number | null {
  const m = /(\d+)\.png$/.exec(path);
  return m ? Number(m[1]) : null;
}
