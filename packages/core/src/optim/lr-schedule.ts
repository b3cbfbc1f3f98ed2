/**
 * Learning-rate schedules: constant, or linear warm-up followed by linear or cosine decay
 * (as Hugging Face `get_linear_schedule_with_warmup` / `get_cosine_schedule_with_warmup`,
 * with an optional floor `minLrRatio`).
 */
import { z } from 'zod';

export const LrScheduleSchema = z
  .object({
    /** @default "constant" */
    type: z.enum(['constant', 'linear', 'cosine']).default('constant'),
    /** Steps of linear warm-up from 0 to the peak rate. @default 0 */
    warmupSteps: z.number().int().min(0).default(0),
    /** Fraction of the peak rate reached at the end of decay. @default 0 */
    minLrRatio: z.number().min(0).max(1).default(0),
  })
  .strict();
export type LrSchedule = z.infer<typeof LrScheduleSchema>;

/** The learning rate for optimizer step `step` (0-based) of `totalSteps`. */
export function learningRateAt(schedule: LrSchedule, peak: number, step: number, totalSteps: number): number {
  const { type, warmupSteps, minLrRatio } = schedule;
  if (step < warmupSteps) return (peak * (step + 1)) / warmupSteps;
  if (type === 'constant') return peak;
  const decaySteps = Math.max(1, totalSteps - warmupSteps);
  const progress = Math.min(1, Math.max(0, (step - warmupSteps) / decaySteps));
  const factor = type === 'linear' ? 1 - progress : 0.5 * (1 + Math.cos(Math.PI * progress));
  return peak * (minLrRatio + (1 - minLrRatio) * factor);
}
