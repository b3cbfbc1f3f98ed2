/**
 * The work behind `captune embed`: opens a CLIP folder with only the towers the inputs need,
 * then embeds images (decoded and preprocessed one batch at a time, so memory stays bounded)
 * and texts in batches; each batch is read back once ([B, P] raw and normalised).
 */
import { l2Normalize, type Engine, type Tensor } from '@captune/core';
import { decodeImageFile, openClipFolder } from '@captune/core/node';
import type { EmbedResult, EmbedRow } from '../commands/embed-command.js';

export interface EmbedInputs {
  readonly model: string;
  readonly images: readonly string[];
  readonly texts: readonly string[];
  readonly batchSize: number;
}

function batches<T>(xs: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += size) out.push(xs.slice(i, i + size));
  return out;
}

/** embeds [B, P] → rows of raw and L2-normalised vectors (one read-back of each). */
async function readRows(e: Engine, embeds: Tensor): Promise<EmbedRow[]> {
  const unit = e.tidy(() => l2Normalize(e, embeds)); // [B, P]
  const [raw, normed] = await Promise.all([e.read(embeds), e.read(unit)]);
  e.dispose([embeds, unit]);
  const [B, P] = embeds.shape as [number, number];
  return Array.from({ length: B }, (_, b) => ({
    embedding: Array.from(normed.subarray(b * P, (b + 1) * P)),
    raw: Array.from(raw.subarray(b * P, (b + 1) * P)),
  }));
}

export async function embedInputs(
  engine: Engine,
  input: EmbedInputs,
): Promise<{ result: EmbedResult; dims: number }> {
  const towers = input.images.length === 0 ? 'text' : input.texts.length === 0 ? 'vision' : 'both';
  const clip = await openClipFolder(engine, input.model, { towers });
  const e = engine;
  try {
    // Tokenise before any image work: a text too long for the model fails at once.
    const ids = clip.tokenize ? clip.tokenize(input.texts) : [];
    const result: EmbedResult = { images: [], texts: [] };
    for (const paths of batches(input.images, input.batchSize)) {
      const decoded = [];
      for (const path of paths) decoded.push(await decodeImageFile(path));
      const { data, shape } = clip.preprocess!(decoded);
      const embeds = e.tidy(() => clip.model.encodeImages(e.tensor(data, shape)).embeds); // [B, P]
      (await readRows(e, embeds)).forEach((row, i) =>
        result.images.push({ path: paths[i]!, ...row }),
      );
    }
    const textRows = batches(
      input.texts.map((text, i) => ({ text, ids: ids[i]! })),
      input.batchSize,
    );
    for (const rows of textRows) {
      const embeds = e.tidy(() => clip.model.encodeTexts(rows.map((r) => r.ids)).embeds); // [B, P]
      (await readRows(e, embeds)).forEach((row, i) =>
        result.texts.push({ text: rows[i]!.text, ...row }),
      );
    }
    return { result, dims: clip.config.projectionDim };
  } finally {
    clip.dispose();
  }
}
