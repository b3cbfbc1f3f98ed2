/**
 * A ClipEmbedder over a Hugging Face CLIP folder on any engine (so any backend): images are
 * decoded and prepared as openai/CLIP's `_transform` (core's `decodeImageFile` + the folder's
 * preprocessing), texts tokenised as `clip.tokenize(truncate=True)`; both run in batches and
 * return the projected embeddings (`encode_image` / `encode_text`), not normalised.
 * Node only: `@captune/core/node` is loaded on first use.
 */
import type { Engine, Tensor } from '@captune/core';
import type { ClipFolder } from '@captune/core/node';
import type { ClipEmbedder } from './clip-embedder.js';

export interface ClipFolderEmbedderOptions {
  /** Inputs per forward pass. @default 16 */
  readonly batchSize?: number;
  /** Which towers to load. @default "both" */
  readonly towers?: 'both' | 'vision' | 'text';
}

export interface ClipFolderEmbedder extends ClipEmbedder {
  /** The projection size P. */
  readonly dim: number;
  readonly folder: ClipFolder;
  dispose(): void;
}

async function rows(e: Engine, embeds: Tensor): Promise<Float32Array[]> {
  const [b, p] = embeds.shape as [number, number]; // [B, P]
  const data = Float32Array.from(await e.read(embeds));
  e.dispose(embeds);
  return Array.from({ length: b }, (_, i) => data.slice(i * p, (i + 1) * p));
}

export async function openClipFolderEmbedder(
  engine: Engine,
  path: string,
  options: ClipFolderEmbedderOptions = {},
): Promise<ClipFolderEmbedder> {
  const { openClipFolder, decodeImageFile } = await import('@captune/core/node');
  const folder = await openClipFolder(engine, path, { towers: options.towers ?? 'both' });
  const batch = options.batchSize ?? 16;
  const e = engine;
  return {
    dim: folder.config.projectionDim,
    folder,
    dispose: () => folder.dispose(),
    async embedImages(paths) {
      const out: Float32Array[] = [];
      for (let i = 0; i < paths.length; i += batch) {
        const decoded = [];
        for (const p of paths.slice(i, i + batch)) decoded.push(await decodeImageFile(p));
        const { data, shape } = folder.preprocess!(decoded); // [B, 3, S, S]
        const embeds = e.tidy(() => folder.model.encodeImages(e.tensor(data, shape)).embeds); // [B, P]
        out.push(...(await rows(e, embeds)));
      }
      return out;
    },
    async embedTexts(texts) {
      const ids = folder.tokenize!(texts, { truncate: true });
      const out: Float32Array[] = [];
      for (let i = 0; i < ids.length; i += batch) {
        const embeds = e.tidy(() => folder.model.encodeTexts(ids.slice(i, i + batch)).embeds); // [B, P]
        out.push(...(await rows(e, embeds)));
      }
      return out;
    },
  };
}
