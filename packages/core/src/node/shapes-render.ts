/**
 * Node: renders a shapes scene to PNG with sharp — the background as raw RGB (scene-svg.ts)
 * with the objects' SVG composited over it (sharp rasterises SVG through librsvg).
 */
import sharp, { type Sharp } from 'sharp';
import { CaptuneError } from '../errors/captune-error.js';
import type { Image8 } from '../images/image8.js';
import { backgroundPixels, sceneToSvg } from '../shapes/scene-svg.js';
import type { ShapeScene } from '../shapes/shape-scene.js';

/** The side of rendered shapes images (the shapes CLIP resizes it to 64). @default */
export const SHAPES_IMAGE_SIZE = 96;

function checkSize(size: number): void {
  if (!Number.isInteger(size) || size < 8 || size > 4096) {
    throw new CaptuneError(`shapes render: size must be an integer in [8, 4096], got ${size}`);
  }
}

function pipeline(scene: ShapeScene, size: number): Sharp {
  checkSize(size);
  const bg = backgroundPixels(scene.background, size);
  const svg = Buffer.from(sceneToSvg(scene, size));
  return sharp(bg, { raw: { width: size, height: size, channels: 3 } }).composite([{ input: svg, top: 0, left: 0 }]);
}

/** The scene as PNG bytes (RGB, `size` × `size`). */
export async function renderScenePng(scene: ShapeScene, size = SHAPES_IMAGE_SIZE): Promise<Uint8Array> {
  const buf = await pipeline(scene, size).removeAlpha().png({ compressionLevel: 6 }).toBuffer();
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

/** The scene as 8-bit RGB pixels (no PNG round trip; the same pixels the PNG holds). */
export async function renderSceneRgb(scene: ShapeScene, size = SHAPES_IMAGE_SIZE): Promise<Image8> {
  const { data, info } = await pipeline(scene, size).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, channels: 3, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}
