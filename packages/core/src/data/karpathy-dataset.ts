/**
 * Andrej Karpathy's split files from NeuralTalk (`dataset_coco.json`, `dataset_flickr8k.json`,
 * `dataset_flickr30k.json`): `{"images": [{"filepath"?, "filename", "imgid", "split",
 * "sentences": [{"raw", "tokens"}], "cocoid"?}], "dataset"}`. The image is
 * `<root>/<filepath>/<filename>`; the id is `cocoid` when present, else `imgid`; splits are
 * train / val / test / restval (restval counts as training data, as in the papers using it).
 * Only `raw` is read from a sentence (the lower-cased `tokens` are not needed).
 */
import { z } from 'zod';
import { parseWith } from '../checkpoint/hf-config-schema.js';
import type { CaptionDataset } from './caption-dataset.js';
import { buildCaptionDataset, type RecordDraft } from './build-caption-dataset.js';
import { arrayOf, idField, nonEmptyStr, splitField, str } from './dataset-fields.js';

const Sentence = z.looseObject(
  { raw: str() },
  { error: 'expected a sentence object {"raw", "tokens"}' },
);

const KarpathyImage = z.looseObject(
  {
    filepath: str().optional(),
    filename: nonEmptyStr(),
    imgid: idField(),
    cocoid: idField().optional(),
    split: splitField(),
    sentences: arrayOf(Sentence, 'sentence objects'),
  },
  { error: 'expected an image object' },
);

export const KarpathyDatasetSchema = z.looseObject({
  images: arrayOf(KarpathyImage, 'image objects'),
  dataset: str().optional(),
});

export interface ParseDatasetOptions {
  /** Names the file in errors (its path). */
  readonly file: string;
  /** The folder image paths are resolved in. */
  readonly imageRoot: string;
}

/** A parsed Karpathy split JSON → dataset. */
export function parseKarpathyDataset(json: unknown, options: ParseDatasetOptions): CaptionDataset {
  const data = parseWith(KarpathyDatasetSchema, json, options.file);
  const drafts: RecordDraft[] = data.images.map((img, i) => ({
    id: String(img.cocoid ?? img.imgid),
    rel: img.filepath ? `${img.filepath}/${img.filename}` : img.filename,
    captions: img.sentences.map((s) => s.raw),
    split: img.split,
    where: `${options.file}: images[${i}]`,
  }));
  return buildCaptionDataset(drafts, {
    source: options.file,
    imageRoot: options.imageRoot,
    format: 'karpathy',
  });
}
