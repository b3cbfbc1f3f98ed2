/**
 * Parsing of numeric command-line values (`--max-new-tokens 20`, `--ids 1,2,3`): anything
 * malformed is bad usage (UsageError, exit 2) naming the flag and the value.
 */
import { UsageError, type ParsedArgs } from '../command.js';

function raw(values: ParsedArgs['values'], name: string): string | undefined {
  return values[name] as string | undefined;
}

/** An integer flag within [min, max]; undefined when absent. */
export function intOption(
  values: ParsedArgs['values'],
  name: string,
  range: { readonly min: number; readonly max?: number },
): number | undefined {
  const v = raw(values, name);
  if (v === undefined) return undefined;
  const n = /^-?[0-9]+$/.test(v.trim()) ? Number(v) : NaN;
  const max = range.max ?? Number.MAX_SAFE_INTEGER;
  if (!Number.isSafeInteger(n) || n < range.min || n > max) {
    const want =
      range.max === undefined
        ? `an integer ≥ ${range.min}`
        : `an integer in [${range.min}, ${range.max}]`;
    throw new UsageError(`--${name} must be ${want}, got ${JSON.stringify(v)}`);
  }
  return n;
}

/** A finite number flag satisfying `ok` (described by `want`). */
export function numberOption(
  values: ParsedArgs['values'],
  name: string,
  want: string,
  ok: (x: number) => boolean,
): number | undefined {
  const v = raw(values, name);
  if (v === undefined) return undefined;
  const n = v.trim() === '' ? NaN : Number(v);
  if (!Number.isFinite(n) || !ok(n))
    throw new UsageError(`--${name} must be ${want}, got ${JSON.stringify(v)}`);
  return n;
}

/** `--ids 1,2,3` (commas and/or spaces) → non-negative integers; the vocabulary is checked later. */
export function parseIds(text: string, flag = '--ids'): number[] {
  const parts = text.split(/[\s,]+/).filter((p) => p !== '');
  if (parts.length === 0) throw new UsageError(`${flag} is empty: give token ids like 1,2,3`);
  return parts.map((p) => {
    if (!/^[0-9]+$/.test(p) || !Number.isSafeInteger(Number(p))) {
      throw new UsageError(
        `${flag}: ${JSON.stringify(p)} is not a token id (a non-negative integer)`,
      );
    }
    return Number(p);
  });
}

/** The id of each prompt token must be in [0, vocabSize) of the model. */
export function outOfVocab(ids: readonly number[], vocabSize: number): number | undefined {
  return ids.find((id) => id >= vocabSize);
}
