/**
 * Picks the parser for a dataset file from its name and contents (browser-safe: the text is
 * given). `.jsonl`/`.ndjson` → JSON Lines pairs, `.csv` → CSV pairs, `.json` → Karpathy split
 * (images with `sentences`) or COCO/NoCaps captions (images with `file_name`); other names are
 * sniffed (a JSON document, a JSON object per line, or a CSV header naming `image`).
 */
import { CaptuneError } from '../errors/captune-error.js';
import type { CaptionDataset, DatasetFormat } from './caption-dataset.js';
import { parseCocoCaptions } from './coco-captions-dataset.js';
import { parseKarpathyDataset, type ParseDatasetOptions } from './karpathy-dataset.js';
import { pairsToDataset, parseCsvPairs, parseJsonlPairs } from './pairs-dataset.js';

export type FileDatasetFormat = Exclude<DatasetFormat, 'folder'>;

export interface ParseDatasetTextOptions extends ParseDatasetOptions {
  /** Skip detection. */
  readonly format?: FileDatasetFormat;
}

const FORMATS_HELP =
  'captune reads Karpathy split JSON, COCO/NoCaps caption JSON, JSONL or CSV image–caption pairs, or a folder of images';

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new CaptuneError(`${file}: not valid JSON (${(error as Error).message.split('\n')[0]})`);
  }
}

/** Which JSON dataset layout a parsed document has, or undefined. */
export function detectJsonFormat(json: unknown): 'karpathy' | 'coco' | 'nocaps' | undefined {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return undefined;
  const images = (json as { images?: unknown }).images;
  if (!Array.isArray(images)) return undefined;
  const first = images[0] as Record<string, unknown> | undefined;
  if (first && typeof first === 'object') {
    if ('sentences' in first || 'filename' in first) return 'karpathy';
    if ('domain' in first || 'open_images_id' in first) return 'nocaps';
    if ('file_name' in first) return 'coco';
    return undefined;
  }
  if ('annotations' in json) return 'coco';
  if ('dataset' in json) return 'karpathy';
  return undefined;
}

/** The format a file's contents look like (for names without a known extension). */
function sniff(text: string, file: string): FileDatasetFormat | undefined {
  const body = text.replace(/^\uFEFF/, '').trimStart();
  const firstLine = body.split('\n', 1)[0]!.trim();
  if (firstLine.startsWith('{')) {
    try {
      const obj = JSON.parse(firstLine) as unknown;
      if (typeof obj === 'object' && obj !== null && 'image' in obj) return 'jsonl';
    } catch {
      /* not one object per line: maybe one JSON document */
    }
    return detectJsonFormat(parseJson(text, file));
  }
  if (/^"?image"?\s*(,|$)/i.test(firstLine) || /,\s*"?image"?\s*(,|$)/i.test(firstLine))
    return 'csv';
  return undefined;
}

/** Parses a dataset file's text, detecting its format unless given. */
export function parseDatasetText(text: string, options: ParseDatasetTextOptions): CaptionDataset {
  const { file } = options;
  const lower = file.toLowerCase();
  let format = options.format;
  let json: unknown;
  if (!format) {
    if (/\.(jsonl|ndjson)$/.test(lower)) format = 'jsonl';
    else if (lower.endsWith('.csv')) format = 'csv';
    else if (lower.endsWith('.json')) {
      json = parseJson(text, file);
      format = detectJsonFormat(json);
      if (!format)
        throw new CaptuneError(
          `${file}: cannot tell the dataset format: expected {"images": [...]} with Karpathy "sentences" or COCO "file_name" entries (${FORMATS_HELP}; pass --format to choose)`,
        );
    } else {
      format = sniff(text, file);
      if (!format)
        throw new CaptuneError(
          `${file}: cannot tell the dataset format from the file name or contents (${FORMATS_HELP}; pass --format karpathy|coco|nocaps|jsonl|csv)`,
        );
    }
  }
  switch (format) {
    case 'karpathy':
      return parseKarpathyDataset(json ?? parseJson(text, file), options);
    case 'coco':
    case 'nocaps':
      return parseCocoCaptions(json ?? parseJson(text, file), options);
    case 'jsonl':
      return pairsToDataset(parseJsonlPairs(text, file), { ...options, format });
    case 'csv':
      return pairsToDataset(parseCsvPairs(text, file), { ...options, format });
  }
}
