/**
 * Seeded scene generation for the shapes world: `generateScene(seed, index)` is a pure function
 * of its arguments (each scene has its own random stream), so any subset of a set can be made
 * independently and in parallel. Placement is by rejection sampling with a fixed attempt budget,
 * so it always terminates.
 */
import { Rng } from '../random/rng.js';
import {
  BACKGROUND_COLORS,
  BACKGROUND_RGB,
  BACKGROUND_STYLES,
  SHAPE_COLORS,
  SHAPE_KINDS,
  SHAPE_RGB,
  SIZE_RADIUS,
  type PairRelation,
  type Rgb,
  type ShapeBackground,
  type ShapeColor,
  type ShapeKind,
  type ShapeObject,
  type ShapeScene,
  type ShapeSize,
} from './shape-scene.js';

/** A 32-bit seed for scene `index` of the set seeded `seed` (splitmix-style mixing). */
export function sceneSeed(seed: number, index: number): number {
  let z = (Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b)) >>> 0;
  z = Math.imul(z ^ (z >>> 15), 0x2c1b3c6d) >>> 0;
  z = Math.imul(z ^ (z >>> 12), 0x297a2d39) >>> 0;
  return (z ^ (z >>> 15)) >>> 0;
}

const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[rng.int(xs.length)]!;
const uniform = (rng: Rng, lo: number, hi: number): number => lo + (hi - lo) * rng.next();
const clamp8 = (v: number): number => Math.max(0, Math.min(255, Math.round(v)));
const jitter = (rng: Rng, rgb: Rgb, amount: number): Rgb =>
  [0, 1, 2].map((i) => clamp8(rgb[i]! + uniform(rng, -amount, amount))) as unknown as Rgb;

const MAX_ROTATION: Readonly<Record<ShapeKind, number>> = {
  circle: 0,
  square: 12,
  triangle: 12,
  star: 15,
  diamond: 8,
};

interface Look {
  readonly kind: ShapeKind;
  readonly color: ShapeColor;
  readonly size: ShapeSize;
}

function randomLook(rng: Rng): Look {
  return { kind: pick(rng, SHAPE_KINDS), color: pick(rng, SHAPE_COLORS), size: rng.next() < 0.5 ? 'small' : 'large' };
}

function place(rng: Rng, look: Look, x: number, y: number, r: number): ShapeObject {
  const max = MAX_ROTATION[look.kind];
  return { ...look, x, y, r, rotation: max === 0 ? 0 : Math.round(uniform(rng, -max, max)), rgb: jitter(rng, SHAPE_RGB[look.color], 18) };
}

const radiusOf = (rng: Rng, size: ShapeSize): number => uniform(rng, ...SIZE_RADIUS[size]);

/** Margin kept between objects and to the image border (fraction of the side). */
const GAP = 0.035;

function single(rng: Rng): ShapeObject[] {
  const look = randomLook(rng);
  const r = radiusOf(rng, look.size);
  const lo = r + GAP + 0.03;
  return [place(rng, look, uniform(rng, lo, 1 - lo), uniform(rng, lo, 1 - lo), r)];
}

/** Two objects, the first left of (or above) the second, clearly separated along that axis. */
function pair(rng: Rng, relation: PairRelation): ShapeObject[] {
  const first = randomLook(rng);
  // A third of pairs repeat one look ("two red circles").
  const second = rng.next() < 0.3 ? first : differentLook(rng, [first]);
  for (let attempt = 0; ; attempt++) {
    const ra = radiusOf(rng, attempt < 50 ? first.size : 'small');
    const rb = radiusOf(rng, attempt < 50 ? second.size : 'small');
    const a = uniform(rng, ra + GAP, 0.5); // along the relation axis
    const b = uniform(rng, 0.5, 1 - rb - GAP);
    const along = b - a;
    const ca = uniform(rng, ra + GAP, 1 - ra - GAP); // across it
    const cb = uniform(rng, rb + GAP, 1 - rb - GAP);
    const ok = along > ra + rb + GAP && Math.abs(cb - ca) < 0.35 * along;
    if (!ok && attempt < 200) continue;
    const lookA = attempt < 50 ? first : { ...first, size: 'small' as const };
    const lookB = attempt < 50 ? second : { ...second, size: 'small' as const };
    return relation === 'left-of'
      ? [place(rng, lookA, a, ca, ra), place(rng, lookB, b, cb, rb)]
      : [place(rng, lookA, ca, a, ra), place(rng, lookB, cb, b, rb)];
  }
}

function differentLook(rng: Rng, taken: readonly Look[]): Look {
  for (;;) {
    const look = randomLook(rng);
    if (!taken.some((t) => t.kind === look.kind && t.color === look.color)) return look;
  }
}

/** Three non-overlapping objects, ordered left to right. */
function triple(rng: Rng): ShapeObject[] {
  const u = rng.next();
  const first = randomLook(rng);
  const looks: Look[] =
    u < 0.15
      ? [first, first, first]
      : u < 0.4
        ? [first, first, differentLook(rng, [first])]
        : [first, differentLook(rng, [first])];
  while (looks.length < 3) looks.push(differentLook(rng, looks));
  for (let attempt = 0; ; attempt++) {
    const small = attempt >= 100; // fall back to small objects, which always fit a row
    const objs = looks.map((look) => {
      const l = small ? { ...look, size: 'small' as const } : look;
      const r = radiusOf(rng, l.size);
      return { l, r, x: uniform(rng, r + GAP, 1 - r - GAP), y: uniform(rng, r + GAP, 1 - r - GAP) };
    });
    if (attempt >= 300) objs.forEach((o, i) => ((o.x = 0.2 + 0.3 * i), (o.y = 0.5)));
    const fits = objs.every((o, i) => objs.every((p, j) => j <= i || Math.hypot(o.x - p.x, o.y - p.y) > o.r + p.r + GAP));
    if (!fits && attempt < 300) continue;
    objs.sort((p, q) => p.x - q.x);
    return objs.map((o) => place(rng, o.l, o.x, o.y, o.r));
  }
}

function background(rng: Rng): ShapeBackground {
  const color = pick(rng, BACKGROUND_COLORS);
  const style = pick(rng, BACKGROUND_STYLES);
  const rgb = jitter(rng, BACKGROUND_RGB[color], 8);
  const shift = uniform(rng, 35, 60) * (color === 'black' ? 1 : color === 'white' ? -1 : rng.next() < 0.5 ? -1 : 1);
  const rgb2 = style === 'gradient' ? (rgb.map((v) => clamp8(v + shift)) as unknown as Rgb) : rgb;
  return {
    color,
    style,
    rgb,
    rgb2,
    direction: rng.next() < 0.5 ? 'horizontal' : 'vertical',
    noise: style === 'noise' ? Math.round(uniform(rng, 10, 22)) : 0,
    noiseSeed: rng.nextUint32(),
  };
}

/** Scene `index` of the set seeded `seed`: 1–3 objects (35% / 40% / 25%) on a background. */
export function generateScene(seed: number, index: number): ShapeScene {
  const rng = new Rng(sceneSeed(seed, index));
  const bg = background(rng);
  const u = rng.next();
  if (u < 0.35) return { index, objects: single(rng), background: bg, relation: null };
  if (u < 0.75) {
    const relation: PairRelation = rng.next() < 0.5 ? 'left-of' : 'above';
    return { index, objects: pair(rng, relation), background: bg, relation };
  }
  return { index, objects: triple(rng), background: bg, relation: null };
}
