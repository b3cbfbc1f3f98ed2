/**
 * COCO caption annotations (`captions_train2014.json`: `{"images": [{"id", "file_name"}],
 * "annotations": [{"image_id", "caption"}]}`, as cocodataset/cocoapi `pycocotools/coco.py`
 * reads them) and the NoCaps validation/test files, which use the same layout with
 * `open_images_id` and `domain` on each image. The test-set image lists (`image_info_*.json`,
 * `nocaps_test_image_info.json`) have no annotations: their records have no captions.
 * Splits come from the file name (`train`/`val`/`test` in it) unless given.
 */
import { z } from 'zod';
import { parseWith } from '../checkpoint/hf-config-schema.js';
import { CaptuneError } from '../errors/captune-error.js';
import type { CaptionDataset, NocapsDomain, Split } from './caption-dataset.js';
import { buildCaptionDataset, type RecordDraft } from './build-caption-dataset.js';
import { arrayOf, idField, nonEmptyStr, str } from './dataset-fields.js';
import type { ParseDatasetOptions } from './karpathy-dataset.js';

const DOMAINS = ['in-domain', 'near-domain', 'out-domain'] as const;

const CocoImage = z.looseObject(
  {
    id: idField(),
    file_name: nonEmptyStr(),
    domain: z.enum(DOMAINS, { error: `expected one of ${DOMAINS.join(', ')}` }).optional(),
    open_images_id: str().optional(),
  },
  { error: 'expected an image object {"id", "file_name"}' },
);

const CocoAnnotation = z.looseObject(
  { image_id: idField(), caption: str() },
  { error: 'expected an annotation object {"image_id", "caption"}' },
);

export const CocoCaptionsSchema = z.looseObject({
  images: arrayOf(CocoImage, 'image objects'),
  annotations: arrayOf(CocoAnnotation, 'annotation objects').optional(),
});

export interface ParseCocoOptions extends ParseDatasetOptions {
  /** The split of every record. @default from the file name (train / val / test), else "unknown" */
  readonly split?: Split;
}

/** `train`, `val` or `test` when the file's base name says so (`captions_val2014.json`). */
export function splitFromFileName(file: string): Split {
  const base = file.split(/[\\/]/).pop()!.toLowerCase();
  for (const s of ['train', 'val', 'test'] as const) if (base.includes(s)) return s;
  return 'unknown';
}

/** A parsed COCO-format caption file (COCO or NoCaps) → dataset. */
export function parseCocoCaptions(json: unknown, options: ParseCocoOptions): CaptionDataset {
  const { file } = options;
  const data = parseWith(CocoCaptionsSchema, json, file);
  const split = options.split ?? splitFromFileName(file);
  const index = new Map<string, number>();
  const captions: string[][] = data.images.map(() => []);
  data.images.forEach((img, i) => {
    const id = String(img.id);
    const first = index.get(id);
    if (first !== undefined)
      throw new CaptuneError(
        `${file}: images[${i}].id: duplicate id ${id} (also images[${first}])`,
      );
    index.set(id, i);
  });
  (data.annotations ?? []).forEach((a, j) => {
    const i = index.get(String(a.image_id));
    if (i === undefined)
      throw new CaptuneError(
        `${file}: annotations[${j}].image_id: no image with id ${JSON.stringify(a.image_id)} in "images"`,
      );
    captions[i]!.push(a.caption);
  });
  const nocaps = data.images.some(
    (img) => img.domain !== undefined || img.open_images_id !== undefined,
  );
  const drafts: RecordDraft[] = data.images.map((img, i) => ({
    id: String(img.id),
    rel: img.file_name,
    captions: captions[i]!,
    split,
    ...(img.domain ? { domain: img.domain as NocapsDomain } : {}),
    where: `${file}: images[${i}]`,
  }));
  return buildCaptionDataset(drafts, {
    source: file,
    imageRoot: options.imageRoot,
    format: nocaps ? 'nocaps' : 'coco',
  });
}
