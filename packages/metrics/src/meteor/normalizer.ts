/**
 * METEOR 1.5's `-norm` text normalisation: `edu.cmu.meteor.util.Normalizer.normalizeLine` for
 * English (a Moses-tokenizer derivative: separate symbols, escape multi-dots, split commas outside
 * numbers, normalise quotes and dashes, split dashes between words, split English contractions to
 * the right, break sentence-final dots unless a nonbreaking prefix, drop dots of "U.S."-style
 * words), followed by lower-casing as `MeteorScorer.getMeteorStats` does. Java regex semantics are
 * kept: `\s` and `\p{Digit}`/`\p{Lower}` are ASCII-only, `replaceAll` is left-to-right and
 * non-overlapping, `StringTokenizer` splits on " \t\n\r\f".
 */
import { NONBREAKING_PREFIXES_EN, NBP_ANY, NBP_NUM_ONLY } from './nonbreaking-prefixes.js';

const ALPHA = 'A-Za-z\u0160\u017D\u0161\u017E\u0178\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u017E' +
  '\u0400-\u04FF\u0500-\u0527\uA640-\uA66E\uA67E-\uA697\u1D00-\u1D7F';
const ALNUM = '0-9' + ALPHA;
const JAVA_SPACE = ' \\t\\n\\x0B\\f\\r';

const R_SEP_OTHER = new RegExp(`([^${ALNUM}${JAVA_SPACE}.'\`,\\-\u2018\u2019])`, 'gu');
const R_MULTI_DOT = /\.(\.+)/gu;
const R_MULTI_DOT2 = /DOTMULTI\.([^.])/gu;
const R_COMMA = /([^0-9]),([^0-9])/gu;
const R_COMMA2 = /([0-9]),([^0-9])/gu;
const R_COMMA3 = /([^0-9]),([0-9])/gu;
const R_QUOTE = /[`\u2018\u2019]/gu;
const R_QUOTE2 = /[\u201C\u201D]|''/gu;
const R_RM_DASH = new RegExp(`([${ALNUM}.])-([${ALNUM}])`, 'gu');
const R_CONT_EN = new RegExp(`([^${ALPHA}])'([^${ALPHA}])`, 'gu');
const R_CONT_EN2 = new RegExp(`([^${ALPHA}0-9])'([${ALPHA}])`, 'gu');
const R_CONT_EN3 = new RegExp(`([${ALPHA}])'([^${ALPHA}])`, 'gu');
const R_CONT_EN4 = new RegExp(`([${ALPHA}])'([${ALPHA}])`, 'gu');
const R_CONT_EN5 = /([0-9])'(s)/gu;
const R_PUNCT_STRIP = new RegExp(`[^${ALNUM}]`, 'gu');
// Java's pattern lists a handful of Unicode spaces; after StringTokenizer only these can remain.
const R_WHITE = /[ \u00A0\u1680\u2000-\u200A\u202F\u205F\u3000]+/gu;
const R_NBP1 = new RegExp(`[${ALPHA}]`, 'u');
const R_NBP2 = /^[a-z]/u;
const R_NBP3 = /^[0-9]+/u;

/** Java `String.trim()`: strips code units <= U+0020 from both ends. */
function javaTrim(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && s.charCodeAt(a) <= 0x20) a++;
  while (b > a && s.charCodeAt(b - 1) <= 0x20) b--;
  return s.slice(a, b);
}

/** Java `StringTokenizer` with its default delimiters. */
export function javaTokenize(s: string): string[] {
  return s.split(/[ \t\n\r\f]+/u).filter((t) => t !== '');
}

/** `Normalizer.normalizeLine(line, LANG_EN, keepPunctuation)` (no lower-casing). */
export function normalizeLineEnglish(line: string, keepPunctuation = true): string {
  let w = ` ${line} `;
  w = w.replace(R_SEP_OTHER, ' $1 ');
  w = w.replace(R_MULTI_DOT, ' DOTMULTI$1');
  while (w.includes('DOTMULTI.')) {
    w = w.replace(R_MULTI_DOT2, 'DOTDOTMULTI $1');
    w = w.replaceAll('DOTMULTI.', 'DOTDOTMULTI');
  }
  w = w.replace(R_COMMA, '$1 , $2').replace(R_COMMA2, '$1 , $2').replace(R_COMMA3, '$1 , $2');
  w = w.replace(R_QUOTE, "'").replace(R_QUOTE2, ' " ');
  w = w.replaceAll('\u2013', '-').replaceAll('--', '-');
  w = w.replace(R_RM_DASH, '$1 $2');
  w = w.replace(R_CONT_EN, "$1 ' $2").replace(R_CONT_EN2, "$1 ' $2").replace(R_CONT_EN3, "$1 ' $2");
  w = w.replace(R_CONT_EN4, "$1 '$2").replace(R_CONT_EN5, "$1 '$2");

  const words = javaTokenize(w);
  let sb = '';
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    const next = words[i + 1];
    if (word.length > 1 && word.endsWith('.')) {
      const pre = word.slice(0, -1);
      const type = NONBREAKING_PREFIXES_EN.get(pre);
      if (pre.includes('.') && R_NBP1.test(pre)) sb += word.replaceAll('.', '');
      else if (type === NBP_ANY || (next !== undefined && R_NBP2.test(next))) sb += word;
      else if (type === NBP_NUM_ONLY && next !== undefined && R_NBP3.test(next)) sb += word;
      else sb += pre + ' .';
    } else {
      sb += word;
    }
    sb += ' ';
  }
  w = sb;
  while (w.includes('DOTDOTMULTI')) w = w.replaceAll('DOTDOTMULTI', 'DOTMULTI.');
  w = w.replaceAll('DOTMULTI', '.');
  if (!keepPunctuation) w = w.replace(R_PUNCT_STRIP, ' ');
  return javaTrim(w.replace(R_WHITE, ' '));
}

/** What `MeteorScorer` does to a line under `-norm`: normalise, then lower-case. */
export function meteorNormalize(line: string): string {
  return normalizeLineEnglish(line, true).toLowerCase();
}
