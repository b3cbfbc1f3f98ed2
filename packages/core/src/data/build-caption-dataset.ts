/**
 * Turns parsed dataset entries into a `CaptionDataset`: resolves each image path inside the
 * image root (refusing escapes, naming the record) and refuses duplicate ids.
 */
import { CaptuneError } from '../errors/captune-error.js';
import type {
  CaptionDataset,
  CaptionRecord,
  DatasetFormat,
  NocapsDomain,
  Split,
} from './caption-dataset.js';
import { resolveImagePath } from './image-path.js';

export interface RecordDraft {
  readonly id: string;
  /** The image path relative to the image root, as the file gives it. */
  readonly rel: string;
  readonly captions: readonly string[];
  readonly split: Split;
  readonly domain?: NocapsDomain;
  /** Names the record in errors, e.g. `dataset_coco.json: images[12]`. */
  readonly where: string;
}

export interface BuildDatasetOptions {
  readonly source: string;
  readonly imageRoot: string;
  readonly format: DatasetFormat;
}

export function buildCaptionDataset(
  drafts: readonly RecordDraft[],
  options: BuildDatasetOptions,
): CaptionDataset {
  const seen = new Map<string, string>();
  const records: CaptionRecord[] = drafts.map((d) => {
    const image = resolveImagePath(options.imageRoot, d.rel, d.where);
    const first = seen.get(d.id);
    if (first !== undefined)
      throw new CaptuneError(`${d.where}: duplicate id ${JSON.stringify(d.id)} (also ${first})`);
    seen.set(d.id, d.where);
    return {
      id: d.id,
      image,
      captions: d.captions,
      split: d.split,
      ...(d.domain ? { domain: d.domain } : {}),
    };
  });
  return {
    source: options.source,
    imageRoot: options.imageRoot,
    records,
    format: options.format,
  };
}
