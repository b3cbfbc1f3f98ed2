/**
 * Caption tokenisation as pycocoevalcap's tokenizer/ptbtokenizer.py does it: CoreNLP 3.4.1
 * `PTBTokenizer -preserveLines -lowerCase` on one caption per line, then the tokens in
 * PUNCTUATIONS are dropped and the rest joined with single spaces.
 *
 * Known deviation: pycocoevalcap replaces only "\n" inside a caption, so a caption containing
 * another line break PTBLexer honours (\r, U+0085, U+2028, U+2029, \v, \f) shifts every later
 * caption onto the wrong image. Here such characters act as spaces instead.
 */
import { NEWLINE_TOKEN, ptbTokenize } from './ptb-tokenizer.js';

/** pycocoevalcap's PUNCTUATIONS list. */
export const COCO_PUNCTUATIONS: ReadonlySet<string> = new Set([
  "''",
  "'",
  '``',
  '`',
  '-LRB-',
  '-RRB-',
  '-LCB-',
  '-RCB-',
  '.',
  '?',
  '!',
  ',',
  ':',
  '-',
  '--',
  '...',
  ';',
]);

// eslint-disable-next-line no-control-regex -- these control characters are whitespace here
const LINE_BREAK = /[\n\r\u000B\u000C\u0085\u2028\u2029]/;
// eslint-disable-next-line no-control-regex -- these control characters are whitespace here
const LINE_BREAKS = /[\n\r\u000B\u000C\u0085\u2028\u2029]/g;

/**
 * One caption → its pycocoevalcap tokenised form (tokens joined by single spaces; "" if none).
 * Each caption is lexed as if followed by a line break, as every caption but the last of a
 * pycocoevalcap batch is (the last one sees end-of-file, which differs only for a caption ending
 * in an unterminated acronym such as "e.g").
 */
export function cocoTokenize(caption: string): string {
  const line = LINE_BREAK.test(caption) ? caption.replace(LINE_BREAKS, ' ') : caption;
  const kept: string[] = [];
  for (const tok of ptbTokenize(`${line}\n`)) {
    if (tok === NEWLINE_TOKEN) break;
    const lower = tok.toLowerCase(); // Java toLowerCase(Locale.ENGLISH) — locale-free, like JS
    if (!COCO_PUNCTUATIONS.has(lower)) kept.push(lower);
  }
  // Python: line.rstrip().split(' ') — rstrip can only trim whitespace ending the last token.
  const out = kept.join(' ');
  return out.length > 0 && out.charCodeAt(out.length - 1) > 127
    ? out.replace(PY_TRAILING_SPACE, '')
    : out;
}

const PY_TRAILING_SPACE =
  // eslint-disable-next-line no-control-regex -- these control characters are whitespace here
  /[\t\n\u000B\u000C\r\u001C-\u001F \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]+$/u;

/** Tokenises many captions, lexing each distinct caption once. */
export function cocoTokenizeAll(
  captions: readonly string[],
  cache = new Map<string, string>(),
): string[] {
  return captions.map((c) => {
    let t = cache.get(c);
    if (t === undefined) {
      t = cocoTokenize(c);
      cache.set(c, t);
    }
    return t;
  });
}
