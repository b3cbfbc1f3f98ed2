/**
 * zod field builders shared by the dataset parsers, with messages that read well in a
 * one-line error (`dataset_coco.json: images[12].sentences[0].raw: expected a string, got 5`).
 */
import { z } from 'zod';
import { SPLITS, type Split } from './caption-dataset.js';

export const str = (): z.ZodString => z.string({ error: 'expected a string' });
export const nonEmptyStr = (): z.ZodString =>
  z
    .string({ error: 'expected a non-empty string' })
    .min(1, { error: 'expected a non-empty string' });
export const nonNegInt = (): z.ZodInt =>
  z
    .int({ error: 'expected a non-negative integer' })
    .nonnegative({ error: 'expected a non-negative integer' });
/** An id: a non-negative integer or a non-empty string. */
export const idField = (): z.ZodUnion<[z.ZodInt, z.ZodString]> =>
  z.union([nonNegInt(), nonEmptyStr()], {
    error: 'expected an id (a non-negative integer or a non-empty string)',
  });
export const splitField = (): z.ZodEnum<{ [K in Split]: K }> =>
  z.enum(SPLITS as [Split, ...Split[]], { error: `expected one of ${SPLITS.join(', ')}` });
export const arrayOf = <T extends z.ZodType>(item: T, what: string): z.ZodArray<T> =>
  z.array(item, { error: `expected an array of ${what}` });
