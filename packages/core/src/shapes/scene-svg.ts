/**
 * Drawing a shapes scene, browser-safe: the background as raw RGB pixels (solid, linear
 * gradient, or seeded per-pixel noise) and the objects as an SVG document with a transparent
 * background, to be composited over it (node/shapes-render.ts rasterises the SVG with sharp,
 * which renders SVG through librsvg; a browser can draw the same SVG onto a canvas).
 */
import { Rng } from '../random/rng.js';
import type { ShapeBackground, ShapeObject, ShapeScene } from './shape-scene.js';

/** Background pixels, RGB interleaved, rows top to bottom: [size · size · 3]. */
export function backgroundPixels(bg: ShapeBackground, size: number): Uint8Array {
  const out = new Uint8Array(size * size * 3);
  const rng = bg.noise > 0 ? new Rng(bg.noiseSeed) : null;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const t = size === 1 ? 0 : (bg.direction === 'horizontal' ? x : y) / (size - 1);
      const n = rng ? (rng.next() * 2 - 1) * bg.noise : 0;
      const i = (y * size + x) * 3;
      for (let c = 0; c < 3; c++) {
        const v = bg.rgb[c]! + (bg.rgb2[c]! - bg.rgb[c]!) * t + n;
        out[i + c] = Math.max(0, Math.min(255, Math.round(v)));
      }
    }
  }
  return out;
}

const f = (v: number): string => (Math.round(v * 100) / 100).toString();

/** Points of a regular polygon (or star when `inner` is given) around (0, 0), first vertex up. */
function polygon(points: number, r: number, inner?: number): string {
  const n = inner === undefined ? points : points * 2;
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const rad = inner !== undefined && i % 2 === 1 ? inner : r;
    const a = -Math.PI / 2 + (2 * Math.PI * i) / n;
    out.push(`${f(rad * Math.cos(a))},${f(rad * Math.sin(a))}`);
  }
  return out.join(' ');
}

/** One object as an SVG element in pixel units. */
export function objectSvg(o: ShapeObject, size: number): string {
  const r = o.r * size;
  const fill = `rgb(${o.rgb.join(',')})`;
  const transform = `translate(${f(o.x * size)} ${f(o.y * size)}) rotate(${o.rotation})`;
  let body: string;
  switch (o.kind) {
    case 'circle':
      body = `<circle cx="0" cy="0" r="${f(r * 0.9)}"/>`;
      break;
    case 'square': {
      const h = r * 0.8;
      body = `<rect x="${f(-h)}" y="${f(-h)}" width="${f(2 * h)}" height="${f(2 * h)}"/>`;
      break;
    }
    case 'triangle':
      // Centroid at the centre; the circumradius r puts the base at r/2 below it.
      body = `<polygon points="${polygon(3, r)}" transform="translate(0 ${f(r * 0.12)})"/>`;
      break;
    case 'star':
      body = `<polygon points="${polygon(5, r, r * 0.45)}"/>`;
      break;
    case 'diamond':
      body = `<polygon points="0,${f(-r)} ${f(r * 0.68)},0 0,${f(r)} ${f(-r * 0.68)},0"/>`;
      break;
  }
  return `<g transform="${transform}" fill="${fill}">${body}</g>`;
}

/** The scene's objects as an SVG document of `size` × `size` pixels, transparent background. */
export function sceneToSvg(scene: ShapeScene, size: number): string {
  const body = scene.objects.map((o) => objectSvg(o, size)).join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 ${size} ${size}">${body}</svg>`;
}
