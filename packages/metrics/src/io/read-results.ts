/**
 * Candidate captions from a COCO results file (`[{"image_id", "caption"}]`, other fields ignored)
 * or a plain map `{imageId: caption}`; ids become strings; one caption per image.
 */
import { CaptuneError } from '@captune/core';
import { z } from 'zod';
import { issueError, typeName } from './describe-issue.js';
import { imageIdSchema, normaliseImageId } from './image-id.js';

const resultSchema = z.object({ image_id: imageIdSchema, caption: z.string() });

export type Candidates = Record<string, string>;

export function parseResults(data: unknown, source: string): Candidates {
  const out: Candidates = Object.create(null) as Candidates;
  if (Array.isArray(data)) {
    const firstAt = new Map<string, number>();
    data.forEach((rec: unknown, i) => {
      const r = resultSchema.safeParse(rec);
      if (!r.success) throw issueError(source, `record ${i}`, rec, r.error);
      const id = normaliseImageId(r.data.image_id);
      const prev = firstAt.get(id);
      if (prev !== undefined) {
        throw new CaptuneError(
          `${source}: record ${i}: image_id ${JSON.stringify(r.data.image_id)} already has a caption (record ${prev})`,
        );
      }
      firstAt.set(id, i);
      out[id] = r.data.caption;
    });
    if (data.length === 0) throw new CaptuneError(`${source}: no results`);
    return out;
  }
  if (data === null || typeof data !== 'object') {
    throw new CaptuneError(
      `${source}: results must be a JSON array of {"image_id", "caption"} or an object {imageId: caption}, got ${typeName(data)}`,
    );
  }
  const entries = Object.entries(data);
  if (entries.length === 0) throw new CaptuneError(`${source}: no results`);
  for (const [id, cap] of entries) {
    if (typeof cap !== 'string')
      throw new CaptuneError(
        `${source}: image ${JSON.stringify(id)}: caption must be a string, got ${typeName(cap)}`,
      );
    out[id] = cap;
  }
  return out;
}
