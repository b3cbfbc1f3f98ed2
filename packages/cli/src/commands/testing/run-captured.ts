/**
 * Test helper: runs `captune ARGS` in this process (no spawn, ~1–2 s cheaper per call) and
 * returns the exit code and everything written to stdout and stderr.
 */
import { vi } from 'vitest';
import { runCli } from '../../main.js';

export interface CapturedRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function runCaptured(...argv: string[]): Promise<CapturedRun> {
  const out: string[] = [];
  const err: string[] = [];
  const capture = (into: string[]) => (chunk: string | Uint8Array) => {
    into.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  };
  const o = vi
    .spyOn(process.stdout, 'write')
    .mockImplementation(capture(out) as typeof process.stdout.write);
  const e = vi
    .spyOn(process.stderr, 'write')
    .mockImplementation(capture(err) as typeof process.stderr.write);
  try {
    const code = await runCli(argv);
    return { code, stdout: out.join(''), stderr: err.join('') };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

/** Runs a command that must succeed with `--json` output, and parses it. */
export async function runJson<T>(...argv: string[]): Promise<T> {
  const r = await runCaptured(...argv);
  if (r.code !== 0) throw new Error(`captune ${argv.join(' ')} exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

/** Largest |a[i] − b[i]| (arrays of equal length; null entries must match). */
export function maxAbsDiff(a: readonly (number | null)[], b: readonly (number | null)[]): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  a.forEach((x, i) => {
    const y = b[i]!;
    if (x === null || y === null) m = x === y ? m : Infinity;
    else m = Math.max(m, Math.abs(x - y));
  });
  return m;
}
