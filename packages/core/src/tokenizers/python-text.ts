/**
 * Python string semantics the reference tokenizers rely on, which JavaScript spells differently:
 * - `\s` of the Python `regex` module (used by openai/gpt-2 and openai/CLIP) is the Unicode
 *   White_Space property: unlike JS `\s` it includes U+0085 and excludes U+FEFF.
 * - `str.strip()` removes `str.isspace()` characters: White_Space plus U+001C..U+001F
 *   (unlike JS `trim()`, which also removes U+FEFF and keeps U+001C..U+001F and U+0085).
 */

/** Body of a character class equal to Python `regex`'s `\s` (Unicode White_Space). */
export const PY_WS = '\\t-\\r \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';

/** Body of a character class equal to Python's `str.isspace()`. */
const PY_ISSPACE =
  '\\t-\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';

const STRIP = new RegExp(`^[${PY_ISSPACE}]+|[${PY_ISSPACE}]+$`, 'gu');
const WS_RUN = new RegExp(`[${PY_WS}]+`, 'gu');

/** Python `text.strip()`. */
export function pythonStrip(text: string): string {
  return text.replace(STRIP, '');
}

/** Python `regex.sub(r'\s+', ' ', text)`. */
export function collapseWhitespace(text: string): string {
  return text.replace(WS_RUN, ' ');
}
