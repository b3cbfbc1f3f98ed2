/**
 * Image–caption pairs as JSON Lines (`{"image": "rel/path.png", "caption": "..."}` or
 * `"captions": [...]`, optional `"split"` and `"id"`, one object a line) or CSV with a header
 * row naming `image`, `caption` and optionally `split`, `id` (RFC 4180, see csv-table.ts).
 * Several rows for one image (same normalised path) merge their captions; they must agree on
 * split and id. The id defaults to the normalised image path. Empty captions are dropped, so a
 * row may list an image with no caption (an image to caption).
 */
import { z } from 'zod';
import { parseWith } from '../checkpoint/hf-config-schema.js';
import { CaptuneError } from '../errors/captune-error.js';
import type { CaptionDataset, Split } from './caption-dataset.js';
import { buildCaptionDataset, type RecordDraft } from './build-caption-dataset.js';
import { parseCsv } from './csv-table.js';
import { arrayOf, idField, nonEmptyStr, splitField, str } from './dataset-fields.js';
import { normalizeImagePath } from './image-path.js';
import type { ParseDatasetOptions } from './karpathy-dataset.js';

export interface PairRow {
  readonly image: string;
  readonly captions: readonly string[];
  readonly split?: Split;
  readonly id?: string;
  /** `pairs.jsonl: line 3`, for messages. */
  readonly where: string;
}

const JsonlPair = z
  .strictObject(
    {
      image: nonEmptyStr(),
      caption: str().optional(),
      captions: arrayOf(str(), 'strings').optional(),
      split: splitField().optional(),
      id: idField().optional(),
    },
    {
      error: (issue) =>
        issue.code === 'unrecognized_keys'
          ? `unknown key ${issue.keys.map((k) => JSON.stringify(k)).join(', ')} (expected image, caption or captions, split, id)`
          : 'expected an object {"image", "caption" or "captions", "split"?, "id"?}',
    },
  )
  .refine((p) => p.caption === undefined || p.captions === undefined, {
    error: 'give "caption" or "captions", not both',
  });

/** Parses JSON Lines text into pair rows (blank lines are skipped). */
export function parseJsonlPairs(text: string, file: string): PairRow[] {
  const rows: PairRow[] = [];
  text.split('\n').forEach((raw, i) => {
    const lineText = raw.replace(/\r$/, '').replace(/^\uFEFF/, '');
    if (lineText.trim() === '') return;
    const where = `${file}: line ${i + 1}`;
    let json: unknown;
    try {
      json = JSON.parse(lineText);
    } catch (error) {
      throw new CaptuneError(
        `${where}: not valid JSON (${(error as Error).message.split('\n')[0]})`,
      );
    }
    const p = parseWith(JsonlPair, json, where);
    rows.push({
      image: p.image,
      captions: p.captions ?? (p.caption !== undefined ? [p.caption] : []),
      where,
      ...(p.split ? { split: p.split } : {}),
      ...(p.id !== undefined ? { id: String(p.id) } : {}),
    });
  });
  return rows;
}

const CSV_COLUMNS = ['image', 'caption', 'split', 'id'] as const;
const splitSchema = splitField();

/** Parses CSV text (header `image,caption[,split][,id]`, any order) into pair rows. */
export function parseCsvPairs(text: string, file: string): PairRow[] {
  const [header, ...body] = parseCsv(text, file);
  if (!header)
    throw new CaptuneError(`${file}: empty CSV file (expected a header row image,caption[,split])`);
  const names = header.fields.map((f) => f.trim().toLowerCase());
  const col = new Map<string, number>();
  names.forEach((name, i) => {
    if (!(CSV_COLUMNS as readonly string[]).includes(name))
      throw new CaptuneError(
        `${file}: line ${header.line}: unknown column ${JSON.stringify(header.fields[i])} in the header (expected ${CSV_COLUMNS.join(', ')})`,
      );
    if (col.has(name))
      throw new CaptuneError(
        `${file}: line ${header.line}: column "${name}" appears twice in the header`,
      );
    col.set(name, i);
  });
  if (!col.has('image'))
    throw new CaptuneError(
      `${file}: line ${header.line}: the header has no "image" column (expected image,caption[,split])`,
    );
  return body
    .filter((r) => !(r.fields.length === 1 && r.fields[0] === ''))
    .map((r) => {
      const where = `${file}: line ${r.line}`;
      if (r.fields.length !== names.length)
        throw new CaptuneError(
          `${where}: has ${r.fields.length} fields, the header has ${names.length} (quote fields holding commas)`,
        );
      const get = (name: string) => (col.has(name) ? r.fields[col.get(name)!]! : undefined);
      const image = get('image')!;
      if (image.trim() === '') throw new CaptuneError(`${where}: image: expected a non-empty path`);
      const caption = get('caption');
      const splitText = get('split')?.trim();
      let split: Split | undefined;
      if (splitText) {
        const s = splitSchema.safeParse(splitText);
        if (!s.success)
          throw new CaptuneError(
            `${where}: split: ${s.error.issues[0]!.message}, got ${JSON.stringify(splitText)}`,
          );
        split = s.data;
      }
      const id = get('id')?.trim();
      return {
        image,
        captions: caption !== undefined ? [caption] : [],
        where,
        ...(split ? { split } : {}),
        ...(id ? { id } : {}),
      };
    });
}

/** Merges rows by image path and builds the dataset. */
export function pairsToDataset(
  rows: readonly PairRow[],
  options: ParseDatasetOptions & { readonly format: 'jsonl' | 'csv' },
): CaptionDataset {
  interface Group {
    rel: string;
    captions: string[];
    split?: Split;
    id?: string;
    where: string;
  }
  const groups = new Map<string, Group>();
  for (const row of rows) {
    const rel = normalizeImagePath(row.image, row.where);
    const captions = row.captions.filter((c) => c.trim() !== '');
    const g = groups.get(rel);
    if (!g) {
      groups.set(rel, {
        rel,
        captions: [...captions],
        split: row.split,
        id: row.id,
        where: row.where,
      });
      continue;
    }
    if (row.split !== undefined && g.split !== undefined && row.split !== g.split)
      throw new CaptuneError(
        `${row.where}: split "${row.split}" for ${rel}, but ${g.where.split(': ').pop()} gives "${g.split}"`,
      );
    if (row.id !== undefined && g.id !== undefined && row.id !== g.id)
      throw new CaptuneError(
        `${row.where}: id "${row.id}" for ${rel}, but ${g.where.split(': ').pop()} gives "${g.id}"`,
      );
    g.split ??= row.split;
    g.id ??= row.id;
    g.captions.push(...captions);
  }
  const drafts: RecordDraft[] = [...groups.values()].map((g) => ({
    id: g.id ?? g.rel,
    rel: g.rel,
    captions: g.captions,
    split: g.split ?? 'unknown',
    where: g.where,
  }));
  return buildCaptionDataset(drafts, {
    source: options.file,
    imageRoot: options.imageRoot,
    format: options.format,
  });
}
