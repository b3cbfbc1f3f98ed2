/**
 * `loadDataset(path)`: reads a dataset file (Karpathy split JSON, COCO or NoCaps caption JSON,
 * JSONL or CSV pairs; see ../data/parse-dataset-text.ts) or lists a folder of images. Image
 * paths resolve inside `imageRoot` (default: the dataset file's folder, or the folder itself);
 * whether the image files exist is not checked here (the extractor reports missing ones).
 */
import { readFile, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { CaptuneError } from '../errors/captune-error.js';
import type { CaptionDataset, DatasetFormat } from '../data/caption-dataset.js';
import { parseDatasetText, type FileDatasetFormat } from '../data/parse-dataset-text.js';
import { loadImageFolder } from './dataset-folder.js';

export interface LoadDatasetOptions {
  /** The folder image paths are relative to. @default the dataset file's folder */
  readonly imageRoot?: string;
  /** Skip format detection. */
  readonly format?: DatasetFormat;
}

export const DATASET_FORMATS: readonly DatasetFormat[] = [
  'karpathy',
  'coco',
  'nocaps',
  'jsonl',
  'csv',
  'folder',
];

export async function loadDataset(
  path: string,
  options: LoadDatasetOptions = {},
): Promise<CaptionDataset> {
  const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
    const why = error.code === 'ENOENT' ? 'no such file or folder' : error.message.split('\n')[0];
    throw new CaptuneError(`${path}: cannot read dataset: ${why}`, { cause: error });
  });
  if (info.isDirectory()) {
    if (options.format && options.format !== 'folder')
      throw new CaptuneError(
        `${path}: is a folder, but format "${options.format}" is a file format`,
      );
    if (options.imageRoot && resolve(options.imageRoot) !== resolve(path))
      throw new CaptuneError(
        `${path}: a folder of images is its own image root; drop --image-root`,
      );
    return loadImageFolder(path);
  }
  if (options.format === 'folder')
    throw new CaptuneError(`${path}: format "folder" needs a folder, this is a file`);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new CaptuneError(
      `${path}: cannot read dataset: ${(error as Error).message.split('\n')[0]}`,
      {
        cause: error,
      },
    );
  }
  const imageRoot = resolve(options.imageRoot ?? dirname(path));
  if (options.imageRoot) {
    const root = await stat(imageRoot).catch(() => undefined);
    if (!root?.isDirectory())
      throw new CaptuneError(`${options.imageRoot}: image root is not a folder`);
  }
  return parseDatasetText(text, {
    file: path,
    imageRoot,
    ...(options.format ? { format: options.format as FileDatasetFormat } : {}),
  });
}
