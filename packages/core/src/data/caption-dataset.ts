/**
 * A captioning dataset as the pipelines see it, whatever file it came from (Karpathy split JSON,
 * COCO caption annotations, NoCaps, JSONL/CSV pairs, a folder of images, the shapes world):
 * records of one image each, with its reference captions and split.
 */
export type Split = 'train' | 'val' | 'test' | 'restval' | 'unknown';

export interface CaptionRecord {
  /** Stable id: the annotation's image id, or the image path relative to the dataset root. */
  readonly id: string;
  /** Absolute path of the image file, resolved inside the dataset's image root. */
  readonly image: string;
  /** Reference captions (may be empty for a folder of images to caption). */
  readonly captions: readonly string[];
  readonly split: Split;
}

export interface CaptionDataset {
  /** Where it came from (a file or folder path), for messages. */
  readonly source: string;
  /** The folder images are resolved inside. */
  readonly imageRoot: string;
  readonly records: readonly CaptionRecord[];
}

/** The records of some splits ("train" includes "restval", as the Karpathy split is used). */
export function recordsOf(dataset: CaptionDataset, split: Split | 'all'): CaptionRecord[] {
  if (split === 'all') return [...dataset.records];
  return dataset.records.filter((r) => r.split === split || (split === 'train' && r.split === 'restval'));
}
