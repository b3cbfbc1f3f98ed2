/**
 * Reference captions from COCO caption annotations (`{"annotations": [{"image_id", "caption"}]}`,
 * other fields ignored) or a plain map `{imageId: [captions]}`; ids become strings.
 */
import { CaptuneError } from '@captune/core';
import { z } from 'zod';
import { issueError, typeName } from './describe-issue.js';
import { imageIdSchema, normaliseImageId } from './image-id.js';

const annotationSchema = z.object({ image_id: imageIdSchema, caption: z.string() });
const captionListSchema = z.array(z.string());

export type References = Record<string, string[]>;

/** Validates parsed JSON; `source` names the input in errors (usually the file name). */
export function parseReferences(data: unknown, source: string): References {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new CaptuneError(
      `${source}: references must be a JSON object ({"annotations": [...]} or {imageId: [captions]}), got ${typeName(data)}`,
    );
  }
  const refs: References = Object.create(null) as References;
  if ('annotations' in data) {
    const anns = (data as { annotations: unknown }).annotations;
    if (!Array.isArray(anns))
      throw new CaptuneError(`${source}: annotations must be an array, got ${typeName(anns)}`);
    anns.forEach((rec: unknown, i) => {
      const r = annotationSchema.safeParse(rec);
      if (!r.success) throw issueError(source, `annotation ${i}`, rec, r.error);
      const id = normaliseImageId(r.data.image_id);
      (refs[id] ??= []).push(r.data.caption);
    });
    if (anns.length === 0) throw new CaptuneError(`${source}: annotations is empty`);
    return refs;
  }
  const entries = Object.entries(data);
  if (entries.length === 0) throw new CaptuneError(`${source}: no images`);
  for (const [id, caps] of entries) {
    const r = captionListSchema.safeParse(caps);
    if (!r.success) throw issueError(source, `image ${JSON.stringify(id)}`, caps, r.error);
    if (r.data.length === 0)
      throw new CaptuneError(`${source}: image ${JSON.stringify(id)}: no reference captions`);
    refs[id] = r.data;
  }
  return refs;
}
