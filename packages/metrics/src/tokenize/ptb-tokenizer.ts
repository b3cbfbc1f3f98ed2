/**
 * A longest-match lexer running the PTBLexer.flex rules (ptb-rules.ts) with the options
 * pycocoevalcap gets from `PTBTokenizer -preserveLines -lowerCase` on CoreNLP 3.4.1: the lexer's
 * own defaults (americanize, normalizeSpace, normalizeAmpersandEntity, normalizeCurrency,
 * normalizeFractions, normalizeParentheses, normalizeOtherBrackets, latexQuotes, ptb3Ellipsis,
 * ptb3Dashes, escapeForwardSlashAsterisk all on; untokenizable=firstDelete) plus tokenizeNLs.
 * Lower-casing (Java `toLowerCase(Locale.ENGLISH)`) is done by the caller (coco-tokenize.ts).
 */
import { americanize } from './americanize.js';
import { ABBREV_LIKE, PTB_RULES, type RuleAction } from './ptb-rules.js';

/** The token PTBLexer emits for a line break when tokenizeNLs is on. */
export const NEWLINE_TOKEN = '*NL*';

const removeSoftHyphens = (s: string): string => {
  if (!s.includes('\u00AD')) return s;
  const r = s.replaceAll('\u00AD', '');
  return r.length === 0 ? '-' : r;
};

/** PTBLexer.delimit: backslash-escape `c` unless already escaped. */
function delimit(s: string, c: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (ch === c && (i === 0 || s[i - 1] !== '\\')) out += '\\';
    out += ch;
  }
  return out;
}

const normalizeAmp = (s: string): string => s.replace(/&amp;/gi, '&');

/** latexQuotes(tok, probablyLeft) of PTBLexer. */
function latexQuotes(tok: string, probablyLeft: boolean): string {
  let s = probablyLeft
    ? tok.replace(/&apos;|'/g, '`').replace(/"|&quot;/g, '``')
    : tok.replace(/&apos;|'/g, "'").replace(/"|&quot;/g, "''");
  s = s.replace(/[\u0091\u2018\u201B\u2039]/g, '`').replace(/[\u0092\u2019\u203A]/g, "'");
  return s.replace(/[\u0093\u201C\u00AB]/g, '``').replace(/[\u0094\u201D\u00BB]/g, "''");
}

function normalizeCurrency(s: string): string {
  return s
    .replaceAll('\u00A2', 'cents')
    .replaceAll('\u00A3', '#')
    .replace(/[\u0080\u00A4\u20A0\u20AC]/g, '$');
}

/** normalizeFractions with escapeForwardSlashAsterisk; the original maps U+2153 twice, never U+2154. */
function normalizeFraction(s: string): string {
  return s
    .replaceAll('\u00BC', '1\\/4')
    .replaceAll('\u00BD', '1\\/2')
    .replaceAll('\u00BE', '3\\/4')
    .replaceAll('\u2153', '1\\/3');
}

/** Returns the token text for a rule match (null: no token), and how many chars it consumes. */
function act(action: RuleAction, tok: string): [string | null, number] {
  const n = tok.length;
  switch (action) {
    case 'cannot':
      return [tok.slice(0, 3), 3];
    case 'keep':
      return [tok, n];
    case 'sgml':
      return [tok.replaceAll(' ', '\u00A0'), n];
    case 'dash':
      return ['--', n];
    case 'amp':
      return [normalizeAmp(tok), n];
    case 'word':
      return [americanize(removeSoftHyphens(tok)), n];
    case 'softHyphen':
      return [removeSoftHyphens(tok), n];
    case 'escapeSlashStar':
      return [delimit(delimit(tok, '/'), '*'), n];
    case 'escapeSlash':
      return [delimit(tok, '/'), n];
    case 'escapeStar':
      return [delimit(tok, '*'), n];
    case 'quoteRight':
      return [latexQuotes(tok, false), n];
    case 'quoteLeft':
      return [latexQuotes(tok, true), n];
    case 'frac':
      return [delimit(tok, '/').replaceAll(' ', '\u00A0'), n];
    case 'frac2':
      return [normalizeFraction(tok), n];
    case 'currency':
      return [normalizeCurrency(tok), n];
    case 'abbrevPushback':
      return [tok, n - 1]; // the token keeps its period; the period is lexed again
    case 'phone':
      return [tok.replaceAll(' ', '\u00A0').replaceAll('(', '-LRB-').replaceAll(')', '-RRB-'), n];
    case 'lrb':
      return ['-LRB-', n];
    case 'rrb':
      return ['-RRB-', n];
    case 'lcb':
      return ['-LCB-', n];
    case 'rcb':
      return ['-RCB-', n];
    case 'hyphens':
      return [n >= 3 && n <= 4 ? '--' : tok, n];
    case 'ellipsis':
      return ['...', n];
    case 'skip':
      return [null, n];
    case 'newline':
      return [NEWLINE_TOKEN, n];
    case 'untokenizable':
      return [null, n]; // firstDelete: dropped (Java also logs a warning once)
  }
}

const isAsciiLetter = (c: number): boolean => (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
const isBreak = (c: number): boolean => c === 32 || c === 10 || c === 9 || Number.isNaN(c);

/**
 * Tokenises `text` as PTBLexer does; line breaks come back as NEWLINE_TOKEN.
 * Plain ASCII words and sentence-final periods take a fast path whose result equals what the full
 * rule set gives (no rule can match longer there); everything else runs every rule.
 */
export function ptbTokenize(text: string): string[] {
  const out: string[] = [];
  const len = text.length;
  let p = 0;
  while (p < len) {
    const c = text.charCodeAt(p);
    if (c === 32 || c === 9) {
      p++;
      continue;
    }
    if (c === 10) {
      out.push(NEWLINE_TOKEN);
      p++;
      continue;
    }
    if (isAsciiLetter(c)) {
      let q = p + 1;
      while (q < len && isAsciiLetter(text.charCodeAt(q))) q++;
      const next = text.charCodeAt(q);
      const period =
        next === 46 && isBreak(text.charCodeAt(q + 1)) && text.charCodeAt(q + 2) !== 46;
      if (isBreak(next) || period) {
        const run = text.slice(p, q);
        // Before a space, ABBREV4 words ("a", "Mr") win by one char of trailing context but give
        // the same text; before a final period they may keep it ("a.", "etc."), so those go slow.
        if (
          !(period && ABBREV_LIKE.test(run)) &&
          (run.length !== 6 || run.toLowerCase() !== 'cannot')
        ) {
          out.push(americanize(run));
          if (period) {
            out.push('.');
            q++;
          }
          p = q;
          continue;
        }
      }
    }
    // A lone "." or "," before a break: no longer rule (".5", ". . .", ",5") can start here.
    if (
      (c === 46 || c === 44) &&
      isBreak(text.charCodeAt(p + 1)) &&
      text.charCodeAt(p + 2) !== 46
    ) {
      out.push(c === 46 ? '.' : ',');
      p++;
      continue;
    }
    p = lexOne(text, p, out);
  }
  return out;
}

/** Runs every rule at `p`, applies the winner, returns the new position. */
function lexOne(text: string, p: number, out: string[]): number {
  let bestLen = -1;
  let bestOrder = Infinity;
  let bestTok = '';
  let bestAction: RuleAction = 'untokenizable';
  for (const rule of PTB_RULES) {
    rule.re.lastIndex = p;
    const m = rule.re.exec(text);
    if (m === null) continue;
    const total = m[0].length;
    if (total > bestLen || (total === bestLen && rule.order < bestOrder)) {
      bestLen = total;
      bestOrder = rule.order;
      bestTok = m[1]!;
      bestAction = rule.action;
    }
  }
  if (bestLen <= 0) return p + 1; // unreachable: the catch-all rule matches any char but \n, NEWLINE \n
  const [tok, consumed] = act(bestAction, bestTok);
  if (tok !== null) out.push(tok);
  return p + consumed;
}
