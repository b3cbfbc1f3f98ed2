/**
 * `captune caption --model <fit folder>`: captions from a closed-form method (ReCap, SITTA)
 * fitted by `captune fit`. Images are decoded and encoded by the method's CLIP vision tower
 * (embeddings only) and captioned through the method's FittedCaptioner; bad images are reported
 * per file, like the adapter path.
 */
import type { Engine, Image8 } from '@captune/core';
import type { CaptionLine } from './caption-command.js';

export interface CaptionFittedOptions {
  readonly engine: Engine;
  readonly dir: string;
  readonly images: readonly string[];
  readonly batchSize: number;
  readonly readImage: (path: string) => Promise<Image8>;
  readonly onBatch?: (n: number) => void;
}

export async function captionWithFittedMethod(o: CaptionFittedOptions): Promise<CaptionLine[]> {
  const core = await import('@captune/core');
  const node = await import('@captune/core/node');
  const fitted = await node.openFittedMethod(o.engine, o.dir);
  const out: CaptionLine[] = new Array(o.images.length);
  try {
    const encoder = await node.openClipFeatureEncoder(o.engine, fitted.manifest.clipModel);
    try {
      for (let start = 0; start < o.images.length; start += o.batchSize) {
        const good: { index: number; pixels: Float32Array }[] = [];
        const end = Math.min(o.images.length, start + o.batchSize);
        for (let i = start; i < end; i++) {
          const path = o.images[i]!;
          try {
            good.push({ index: i, pixels: encoder.preprocess(await o.readImage(path)) });
          } catch (error) {
            if (!(error instanceof core.CaptuneError)) throw error;
            out[i] = { image: path, error: error.message };
          }
        }
        if (good.length > 0) {
          const pixels = new Float32Array(good.length * good[0]!.pixels.length);
          good.forEach((g, k) => pixels.set(g.pixels, k * g.pixels.length));
          const enc = await encoder.encode(pixels, good.length, { tokens: false, embeds: true });
          const P = encoder.embedDim;
          const features = new Map(good.map((g, k) => [String(g.index), { embeds: enc.embeds!.slice(k * P, (k + 1) * P) }]));
          const source = new core.MemoryFeatureSource({ embedDim: P, features });
          const caps = await fitted.captioner.captionIds(source, good.map((g) => String(g.index)));
          caps.forEach((c, k) => {
            const i = good[k]!.index;
            out[i] = { image: o.images[i]!, caption: c.caption };
          });
        }
        o.onBatch?.(end - start);
      }
    } finally {
      encoder.dispose();
    }
  } finally {
    fitted.dispose();
  }
  return out;
}
