/**
 * Python's `html.unescape` (CPython `Lib/html/__init__.py`), exactly: numeric references
 * (decimal/hex, `;` optional) with the HTML5 replacement table for invalid ones, and named
 * references from the HTML5 table, where a name without `;` resolves to its longest prefix
 * that is a legacy (semicolon-less) entity, e.g. `&ampx` → `&x`, `&notit;` → `¬it;`.
 * CLIP's `basic_clean` applies it twice.
 */
import { HTML5_ENTITIES_PACKED } from './html-entities.js';

let entities: ReadonlyMap<string, string> | undefined;

/** name (with ";" where required, and without ";" for legacy names) → replacement text. */
function entityTable(): ReadonlyMap<string, string> {
  if (entities) return entities;
  const map = new Map<string, string>();
  for (const item of HTML5_ENTITIES_PACKED.split(' ')) {
    const m = /^([^:*]+)([:*])(.+)$/.exec(item);
    if (!m) throw new Error(`bad packed HTML entity "${item}"`);
    const value = String.fromCodePoint(...m[3]!.split('.').map((h) => parseInt(h, 16)));
    map.set(`${m[1]};`, value);
    if (m[2] === '*') map.set(m[1]!, value);
  }
  entities = map;
  return map;
}

/** Numeric references that HTML5 maps to something else (0x80–0x9F as windows-1252). */
const INVALID_CHARREFS: ReadonlyMap<number, string> = new Map<number, string>([
  [0x00, '\ufffd'],
  [0x0d, '\r'],
  [0x80, '\u20ac'],
  [0x81, '\x81'],
  [0x82, '\u201a'],
  [0x83, '\u0192'],
  [0x84, '\u201e'],
  [0x85, '\u2026'],
  [0x86, '\u2020'],
  [0x87, '\u2021'],
  [0x88, '\u02c6'],
  [0x89, '\u2030'],
  [0x8a, '\u0160'],
  [0x8b, '\u2039'],
  [0x8c, '\u0152'],
  [0x8d, '\x8d'],
  [0x8e, '\u017d'],
  [0x8f, '\x8f'],
  [0x90, '\x90'],
  [0x91, '\u2018'],
  [0x92, '\u2019'],
  [0x93, '\u201c'],
  [0x94, '\u201d'],
  [0x95, '\u2022'],
  [0x96, '\u2013'],
  [0x97, '\u2014'],
  [0x98, '\u02dc'],
  [0x99, '\u2122'],
  [0x9a, '\u0161'],
  [0x9b, '\u203a'],
  [0x9c, '\u0153'],
  [0x9d, '\x9d'],
  [0x9e, '\u017e'],
  [0x9f, '\u0178'],
]);

/** Code points a numeric reference may not produce: they are dropped. */
function isInvalidCodepoint(n: number): boolean {
  return (
    (n >= 0x1 && n <= 0x8) ||
    n === 0xb ||
    (n >= 0xe && n <= 0x1f) ||
    (n >= 0x7f && n <= 0x9f) ||
    (n >= 0xfdd0 && n <= 0xfdef) ||
    (n & 0xfffe) === 0xfffe
  );
}

// Same pattern as CPython's `_charref`; the `u` flag makes `{1,32}` count code points.
const CHARREF = /&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)/gu;

function replaceCharref(_whole: string, s: string): string {
  if (s[0] === '#') {
    const digits = s.endsWith(';') ? s.slice(0, -1) : s;
    // Huge numbers only need to compare above 0x10FFFF: a float is enough.
    const num =
      s[1] === 'x' || s[1] === 'X' ? parseInt(digits.slice(2), 16) : parseInt(digits.slice(1), 10);
    const mapped = INVALID_CHARREFS.get(num);
    if (mapped !== undefined) return mapped;
    if ((num >= 0xd800 && num <= 0xdfff) || num > 0x10ffff) return '\ufffd';
    if (isInvalidCodepoint(num)) return '';
    return String.fromCodePoint(num);
  }
  const table = entityTable();
  const exact = table.get(s);
  if (exact !== undefined) return exact;
  // Longest prefix (of at least 2 code points) that is an entity name.
  const cps = Array.from(s);
  for (let x = cps.length - 1; x > 1; x--) {
    const prefix = cps.slice(0, x).join('');
    const v = table.get(prefix);
    if (v !== undefined) return v + cps.slice(x).join('');
  }
  return `&${s}`;
}

/** Python `html.unescape(text)`. */
export function htmlUnescape(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(CHARREF, replaceCharref);
}
