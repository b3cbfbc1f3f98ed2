/**
 * Turns zod issues into one-line messages a user can act on, naming the key path:
 *   training.batchSize: expected a positive integer, got "32"
 *   unknown key training.batchsize (did you mean batchSize?)
 * What a field expects is read from the schema itself (through its JSON Schema), so the
 * message stays right when a bound changes.
 */
import { z } from 'zod';

type Issue = z.core.$ZodIssue & { input?: unknown; keys?: string[] };
type AnySchema = z.ZodType;

/** Formats every issue of a failed parse of `schema` (parse with `reportInput: true`). */
export function formatConfigIssues(
  schema: AnySchema,
  issues: readonly z.core.$ZodIssue[],
): string[] {
  const out: string[] = [];
  for (const raw of issues) {
    const issue = raw as Issue;
    const path = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') {
      const known = objectKeys(schemaAt(schema, path));
      for (const key of issue.keys ?? []) {
        const guess = closest(key, known);
        const where = [...path, key].join('.');
        out.push(
          `unknown key ${where}${guess ? ` (did you mean ${guess}?)` : known.length ? ` (known keys: ${known.join(', ')})` : ''}`,
        );
      }
      continue;
    }
    const where = path.length ? path.join('.') : '(top level)';
    const sub = schemaAt(schema, path);
    const expected = sub ? describeSchema(sub) : null;
    if (issue.input === undefined && issue.code === 'invalid_type') {
      out.push(`${where}: missing (expected ${expected ?? issue.expected})`);
    } else if (expected) {
      out.push(`${where}: expected ${expected}, got ${show(issue.input)}`);
    } else {
      out.push(`${where}: ${issue.message}`);
    }
  }
  return out;
}

function show(v: unknown): string {
  const s = JSON.stringify(v);
  if (s === undefined) return String(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** The sub-schema at a key path (through defaults, optionals and nullables), or null. */
export function schemaAt(schema: AnySchema, path: readonly string[]): AnySchema | null {
  let s: AnySchema | null = schema;
  for (const key of path) {
    s = unwrap(s);
    const shape = s ? (s as unknown as { shape?: Record<string, AnySchema> }).shape : undefined;
    if (!shape || !(key in shape)) return null;
    s = shape[key]!;
  }
  return s;
}

function unwrap(s: AnySchema | null): AnySchema | null {
  let cur = s;
  for (let i = 0; cur && i < 10; i++) {
    const def = (cur as unknown as { _zod: { def: { type: string; innerType?: AnySchema } } })._zod
      .def;
    if (
      ['default', 'prefault', 'optional', 'nullable', 'readonly', 'catch'].includes(def.type) &&
      def.innerType
    )
      cur = def.innerType;
    else break;
  }
  return cur;
}

/** Keys an object schema accepts (empty for non-objects). */
export function objectKeys(schema: AnySchema | null): string[] {
  const s = unwrap(schema);
  const shape = s ? (s as unknown as { shape?: Record<string, unknown> }).shape : undefined;
  return shape ? Object.keys(shape) : [];
}

interface JsonSchema {
  type?: string;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  items?: JsonSchema;
}

/** "a positive integer", "a number in [0, 1]", "one of "a", "b"", … */
export function describeSchema(schema: AnySchema): string | null {
  let js: JsonSchema;
  try {
    js = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  } catch {
    return null;
  }
  return describeJson(js);
}

function describeJson(js: JsonSchema): string | null {
  if (js.anyOf) {
    const parts = js.anyOf.map(describeJson).filter((p): p is string => p !== null);
    return parts.length ? parts.join(' or ') : null;
  }
  if (js.enum)
    return js.enum.length === 1
      ? JSON.stringify(js.enum[0])
      : `one of ${js.enum.map((v) => JSON.stringify(v)).join(', ')}`;
  if (js.const !== undefined) return JSON.stringify(js.const);
  switch (js.type) {
    case 'null':
      return 'null';
    case 'boolean':
      return 'true or false';
    case 'string':
      return js.minLength ? 'a non-empty string' : 'a string';
    case 'array':
      return `a list${js.items ? ` of ${describeJson(js.items)?.replace(/^an? /, '') ?? 'values'}s` : ''}`.replace(
        /ss$/,
        's',
      );
    case 'object':
      return 'an object';
    case 'integer':
    case 'number':
      return describeNumber(js);
    default:
      return null;
  }
}

function describeNumber(js: JsonSchema): string {
  const noun = js.type === 'integer' ? 'integer' : 'number';
  const max =
    js.maximum !== undefined && js.maximum < Number.MAX_SAFE_INTEGER ? js.maximum : undefined;
  if (js.exclusiveMinimum === 0 && max === undefined) return `a positive ${noun}`;
  if (js.minimum === 0 && max === undefined && js.exclusiveMaximum === undefined)
    return `a non-negative ${noun}`;
  const lo =
    js.exclusiveMinimum !== undefined
      ? `(${js.exclusiveMinimum}`
      : js.minimum !== undefined && js.minimum > Number.MIN_SAFE_INTEGER
        ? `[${js.minimum}`
        : null;
  const hi =
    js.exclusiveMaximum !== undefined
      ? `${js.exclusiveMaximum})`
      : max !== undefined
        ? `${max}]`
        : null;
  if (lo && hi) return `${noun === 'integer' ? 'an integer' : 'a number'} in ${lo}, ${hi}`;
  if (lo)
    return `${noun === 'integer' ? 'an integer' : 'a number'} ${lo.startsWith('(') ? '>' : '≥'} ${lo.slice(1)}`;
  if (hi)
    return `${noun === 'integer' ? 'an integer' : 'a number'} ${hi.endsWith(')') ? '<' : '≤'} ${hi.slice(0, -1)}`;
  return noun === 'integer' ? 'an integer' : 'a number';
}

/** The known key closest to `key` (case-insensitive match, or edit distance ≤ 2), if any. */
export function closest(key: string, known: readonly string[]): string | null {
  const lower = key.toLowerCase();
  const same = known.find((k) => k.toLowerCase() === lower);
  if (same) return same;
  let best: string | null = null;
  let bestD = Infinity;
  for (const k of known) {
    const d = editDistance(lower, k.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = k;
    }
  }
  return bestD <= Math.max(2, Math.floor(key.length / 4)) ? best : null;
}

function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j]!;
      prev[j] = Math.min(up + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length]!;
}
