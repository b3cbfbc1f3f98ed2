/**
 * Turns the first zod issue on a caption file into one line naming the file, the record and the
 * field, e.g. `results.json: record 3: caption must be a string, got number`.
 */
import { CaptuneError } from '@captune/core';
import type { z } from 'zod';

export function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

function at(root: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = root;
  for (const k of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v;
}

/** `where` names the record (e.g. "record 3" or "image \"42\""), `root` is that record. */
export function issueError(
  source: string,
  where: string,
  root: unknown,
  error: z.ZodError,
): CaptuneError {
  const issue = error.issues[0]!;
  const field = issue.path.filter((k) => typeof k === 'string').join('.');
  const actual = at(root, issue.path);
  const subject = field === '' ? 'value' : field;
  let what: string;
  if (actual === undefined && issue.path.length > 0) {
    what = `${subject} is missing`;
  } else if (issue.code === 'invalid_type') {
    what = `${subject} must be ${article(issue.expected)}, got ${typeName(actual)}`;
  } else if (issue.code === 'invalid_union') {
    what = `${subject} must be a number or a string, got ${typeName(actual)}`;
  } else {
    what = `${subject}: ${issue.message}`;
  }
  const index = issue.path.find((k) => typeof k === 'number');
  const inner = index === undefined ? '' : ` [${index}]`;
  return new CaptuneError(`${source}: ${where}${inner}: ${what}`);
}

function article(t: string): string {
  return /^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`;
}
