/**
 * The training log, `log.jsonl` in the run folder: one JSON object per optimizer step (step,
 * epoch, loss, lr, grad norm, wall time, and the validation loss / CIDEr-D on steps that
 * validated). A resumed run first drops entries past its checkpoint, so the log reads as one
 * uninterrupted run.
 */
import { appendFile, readFile } from 'node:fs/promises';
import { writeFileAtomic } from './training-checkpoint.js';

export interface TrainingLogEntry {
  readonly step: number;
  readonly epoch: number;
  readonly loss: number;
  readonly lr: number;
  readonly gradNorm: number;
  /** Seconds of training so far (summed over resumed sessions). */
  readonly time: number;
  readonly valLoss?: number;
  readonly valCider?: number | null;
}

export async function readTrainingLog(path: string): Promise<TrainingLogEntry[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return [];
  }
  const out: TrainingLogEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as TrainingLogEntry);
    } catch {
      /* a line cut by a kill: ignored */
    }
  }
  return out;
}

export async function appendTrainingLog(path: string, entry: TrainingLogEntry): Promise<void> {
  await appendFile(path, `${JSON.stringify(entry)}\n`);
}

/** Keeps the entries with step ≤ `step` (atomically); returns them. */
export async function truncateTrainingLog(path: string, step: number): Promise<TrainingLogEntry[]> {
  const kept = (await readTrainingLog(path)).filter((e) => e.step <= step);
  await writeFileAtomic(path, kept.map((e) => `${JSON.stringify(e)}\n`).join(''));
  return kept;
}
