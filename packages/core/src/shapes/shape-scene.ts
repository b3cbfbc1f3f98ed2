/**
 * The "shapes" world's vocabulary and scene description: coloured shapes of a few kinds and two
 * sizes on a plain, gradient or lightly textured background. A scene is pure data (positions
 * and radii as fractions of the image side), drawn by scene-svg.ts and captioned by
 * scene-captions.ts. In the spirit of the procedurally generated captioning sets of the
 * literature (e.g. ShapeWorld, Kuhnle & Copestake 2017), with a deliberately small vocabulary.
 */

export const SHAPE_KINDS = ['circle', 'square', 'triangle', 'star', 'diamond'] as const;
export type ShapeKind = (typeof SHAPE_KINDS)[number];

export const SHAPE_COLORS = ['red', 'green', 'blue', 'yellow', 'purple', 'orange'] as const;
export type ShapeColor = (typeof SHAPE_COLORS)[number];

/** Nominal sRGB of each object colour (scenes jitter it slightly). */
export const SHAPE_RGB: Readonly<Record<ShapeColor, readonly [number, number, number]>> = {
  red: [220, 30, 30],
  green: [30, 170, 50],
  blue: [40, 70, 230],
  yellow: [240, 220, 30],
  purple: [150, 50, 200],
  orange: [250, 140, 20],
};

export const SHAPE_SIZES = ['small', 'large'] as const;
export type ShapeSize = (typeof SHAPE_SIZES)[number];

/** Radius (of the circumscribed circle, fraction of the image side) range per size. */
export const SIZE_RADIUS: Readonly<Record<ShapeSize, readonly [number, number]>> = {
  small: [0.085, 0.105],
  large: [0.15, 0.18],
};

export const BACKGROUND_COLORS = ['white', 'black', 'gray'] as const;
export type BackgroundColor = (typeof BACKGROUND_COLORS)[number];

export const BACKGROUND_RGB: Readonly<Record<BackgroundColor, readonly [number, number, number]>> = {
  white: [245, 245, 245],
  black: [20, 20, 20],
  gray: [128, 128, 128],
};

export const BACKGROUND_STYLES = ['solid', 'gradient', 'noise'] as const;
export type BackgroundStyle = (typeof BACKGROUND_STYLES)[number];

export type Rgb = readonly [number, number, number];

export interface ShapeObject {
  readonly kind: ShapeKind;
  readonly color: ShapeColor;
  readonly size: ShapeSize;
  /** Centre, as fractions of the image side (x to the right, y down). */
  readonly x: number;
  readonly y: number;
  /** Radius of the circumscribed circle, fraction of the image side. */
  readonly r: number;
  /** Rotation in degrees (small jitter; a diamond stays a diamond). */
  readonly rotation: number;
  /** The exact fill colour (the named colour, jittered). */
  readonly rgb: Rgb;
}

export interface ShapeBackground {
  readonly color: BackgroundColor;
  readonly style: BackgroundStyle;
  /** Base colour (jittered); a gradient runs from `rgb` to `rgb2`. */
  readonly rgb: Rgb;
  readonly rgb2: Rgb;
  readonly direction: 'horizontal' | 'vertical';
  /** Amplitude (0–255 units) of the per-pixel noise texture; 0 unless style is "noise". */
  readonly noise: number;
  /** Seed of the noise texture. */
  readonly noiseSeed: number;
}

/** How two objects are placed relative to each other (the first named one is `a`). */
export type PairRelation = 'left-of' | 'above';

export interface ShapeScene {
  /** Index of the scene in its generated set. */
  readonly index: number;
  /** 1–3 objects; for two objects, `objects[0]` is left of / above `objects[1]`. */
  readonly objects: readonly ShapeObject[];
  readonly background: ShapeBackground;
  /** Set for two-object scenes. */
  readonly relation: PairRelation | null;
}

/** English plural of a shape name. */
export function pluralOf(kind: ShapeKind): string {
  return `${kind}s`;
}
