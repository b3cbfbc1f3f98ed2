/**
 * UTF-8 conversions with Python's semantics: `str.encode('utf-8')` (strict: a lone surrogate
 * is an error) and `bytes.decode('utf-8', errors='replace')`, which replaces each maximal
 * ill-formed subpart with one U+FFFD — the WHATWG decoder does the same, and keeps a
 * leading BOM as U+FEFF only with `ignoreBOM: true`.
 */
import { CaptuneError } from '../errors/captune-error.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Python `text.encode('utf-8')`: throws on a lone surrogate instead of writing U+FFFD. */
export function encodeUtf8(text: string): Uint8Array {
  checkWellFormed(text);
  return encoder.encode(text);
}

/** Throws a CaptuneError naming the first lone surrogate (Python cannot UTF-8-encode it). */
export function checkWellFormed(text: string): void {
  const m = LONE_SURROGATE.exec(text);
  if (m) {
    const code = m[0].charCodeAt(0).toString(16).toUpperCase();
    throw new CaptuneError(
      `text contains a lone surrogate U+${code} at index ${m.index}: it is not valid Unicode`,
    );
  }
}

/** Python `bytes(data).decode('utf-8', errors='replace')`. */
export function decodeUtf8Replace(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}
