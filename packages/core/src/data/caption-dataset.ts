/**
 * A captioning dataset as the pipelines see it, whatever file it came from (Karpathy split JSON,
 * COCO caption annotations, NoCaps, JSONL/CSV pairs, a folder of images, the shapes world):
 * records of one image each, with its reference captions and split.
 */
export type Split = 'train' | 'val' | 'test' | 'restval' | 'unknown';

export const SPLITS: readonly Split[] = ['train', 'val', 'test', 'restval', 'unknown'];

/** NoCaps' image domains (how far the image's classes are from COCO's). */
export type NocapsDomain = 'in-domain' | 'near-domain' | 'out-domain';

/** The file formats `loadDataset` reads. */
export type DatasetFormat = 'karpathy' | 'coco' | 'nocaps' | 'jsonl' | 'csv' | 'folder';

export interface CaptionRecord {
  /** Stable id: the annotation's image id, or the image path relative to the dataset root. */
  readonly id: string;
  /** Absolute path of the image file, resolved inside the dataset's image root. */
  readonly image: string;
  /** Reference captions (may be empty for a folder of images to caption). */
  readonly captions: readonly string[];
  readonly split: Split;
  /** NoCaps only: the image's domain. */
  readonly domain?: NocapsDomain;
}

export interface CaptionDataset {
  /** Where it came from (a file or folder path), for messages. */
  readonly source: string;
  /** The folder images are resolved inside. */
  readonly imageRoot: string;
  readonly records: readonly CaptionRecord[];
  /** The format it was read from, when loaded from a file or folder. */
  readonly format?: DatasetFormat;
}

/** The records of some splits ("train" includes "restval", as the Karpathy split is used). */
export function recordsOf(dataset: CaptionDataset, split: Split | 'all'): CaptionRecord[] {
  if (split === 'all') return [...dataset.records];
  return dataset.records.filter(
    (r) => r.split === split || (split === 'train' && r.split === 'restval'),
  );
}
