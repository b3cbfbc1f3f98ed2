/** COCO image ids may be numbers or strings; both become string keys ("42"). */
import { z } from 'zod';

export const imageIdSchema = z.union([z.number().finite(), z.string().min(1)]);

export const normaliseImageId = (id: number | string): string =>
  typeof id === 'number' ? String(id) : id;
