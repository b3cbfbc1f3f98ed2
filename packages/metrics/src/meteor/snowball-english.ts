/**
 * The Snowball English ("Porter2") stemmer, as `org.tartarus.snowball.ext.englishStemmer` which
 * METEOR 1.5's stem module runs (via `SnowballStemmerWrapper`). Follows the algorithm text of
 * snowball's `english.sbl` step by step: exception1, prelude (apostrophe, y → Y), regions R1/R2
 * (with the gener/commun/arsen prefixes), Step 1a (with step 0), exception2, Steps 1b–5, postlude.
 * Checked against the official vocabulary (`fixtures/snowball-english-sample.tsv`).
 */

const EXCEPTION1 = new Map<string, string>([
  ['skis', 'ski'], ['skies', 'sky'], ['dying', 'die'], ['lying', 'lie'], ['tying', 'tie'],
  ['idly', 'idl'], ['gently', 'gentl'], ['ugly', 'ugli'], ['early', 'earli'], ['only', 'onli'],
  ['singly', 'singl'], ['sky', 'sky'], ['news', 'news'], ['howe', 'howe'], ['atlas', 'atlas'],
  ['cosmos', 'cosmos'], ['bias', 'bias'], ['andes', 'andes'],
]);
const EXCEPTION2 = new Set(['inning', 'outing', 'canning', 'herring', 'earring', 'proceed', 'exceed', 'succeed']);
const REGION_PREFIXES = ['gener', 'commun', 'arsen'];
const DOUBLES = new Set(['bb', 'dd', 'ff', 'gg', 'mm', 'nn', 'pp', 'rr', 'tt']);
const VALID_LI = new Set('cdeghkmnrt');

const STEP2: readonly [string, string][] = [
  ['ization', 'ize'], ['ational', 'ate'], ['fulness', 'ful'], ['ousness', 'ous'], ['iveness', 'ive'],
  ['tional', 'tion'], ['biliti', 'ble'], ['lessli', 'less'], ['entli', 'ent'], ['ation', 'ate'],
  ['alism', 'al'], ['aliti', 'al'], ['ousli', 'ous'], ['iviti', 'ive'], ['fulli', 'ful'], ['enci', 'ence'],
  ['anci', 'ance'], ['abli', 'able'], ['izer', 'ize'], ['ator', 'ate'], ['alli', 'al'], ['bli', 'ble'],
  ['ogi', 'og'], ['li', ''],
];
const STEP3: readonly [string, string][] = [
  ['ational', 'ate'], ['tional', 'tion'], ['alize', 'al'], ['icate', 'ic'], ['iciti', 'ic'], ['ative', ''],
  ['ical', 'ic'], ['ness', ''], ['ful', ''],
];
const STEP4 = [
  'ement', 'ance', 'ence', 'able', 'ible', 'ment', 'ant', 'ent', 'ism', 'ate', 'iti', 'ous', 'ive', 'ize',
  'ion', 'al', 'er', 'ic',
];

function isVowel(c: string | undefined): boolean {
  return c === 'a' || c === 'e' || c === 'i' || c === 'o' || c === 'u' || c === 'y';
}

/** Position just after the first non-vowel that follows a vowel, searching from `from`. */
function afterVowelConsonant(w: string, from: number): number {
  let i = from;
  while (i < w.length && !isVowel(w[i])) i++;
  while (i < w.length && isVowel(w[i])) i++;
  return i < w.length ? i + 1 : w.length;
}

/** `shortv` ending at `end` (exclusive): non-v v non-v_WXY (last letter not w/x/Y), or v non-v at the word start. */
function endsShortSyllable(w: string, end: number): boolean {
  const c = w[end - 1];
  const v = w[end - 2];
  if (end < 2 || isVowel(c) || !isVowel(v)) return false;
  if (end === 2) return true; // v non-v at the start of the word
  return !isVowel(w[end - 3]) && c !== 'w' && c !== 'x' && c !== 'Y';
}

function longestSuffix<T extends string | readonly [string, string]>(w: string, list: readonly T[]): T | undefined {
  let best: T | undefined;
  let bestLen = -1;
  for (const item of list) {
    const s = typeof item === 'string' ? item : item[0];
    if (s.length > bestLen && w.endsWith(s)) {
      best = item;
      bestLen = s.length;
    }
  }
  return best;
}

export function snowballEnglishStem(input: string): string {
  const exc = EXCEPTION1.get(input);
  if (exc !== undefined) return exc;
  if (input.length < 3) return input;

  // prelude
  let w = input.startsWith("'") ? input.slice(1) : input;
  if (w.startsWith('y')) w = 'Y' + w.slice(1);
  const chars = [...w];
  for (let i = 1; i < chars.length; i++) if (chars[i] === 'y' && isVowel(chars[i - 1])) chars[i] = 'Y';
  w = chars.join('');

  // regions
  const prefix = REGION_PREFIXES.find((p) => w.startsWith(p));
  const p1 = prefix !== undefined ? prefix.length : afterVowelConsonant(w, 0);
  const p2 = afterVowelConsonant(w, p1);

  // Step 1a (including step 0: apostrophe suffixes)
  for (const s of ["'s'", "'s", "'"]) {
    if (w.endsWith(s)) {
      w = w.slice(0, -s.length);
      break;
    }
  }
  if (w.endsWith('sses')) w = w.slice(0, -2);
  else if (w.endsWith('ied') || w.endsWith('ies')) w = w.length - 3 >= 2 ? w.slice(0, -3) + 'i' : w.slice(0, -3) + 'ie';
  else if (w.endsWith('us') || w.endsWith('ss')) {
    // unchanged
  } else if (w.endsWith('s')) {
    // next gopast v: a vowel somewhere before the letter preceding the s
    const stem = w.slice(0, -2);
    if ([...stem].some(isVowel)) w = w.slice(0, -1);
  }
  if (EXCEPTION2.has(w)) return w.replace(/Y/g, 'y');

  w = step1b(w, p1);
  // Step 1c
  if (w.length > 2 && (w.endsWith('y') || w.endsWith('Y')) && !isVowel(w[w.length - 2])) w = w.slice(0, -1) + 'i';
  w = step2(w, p1);
  w = step3(w, p1, p2);
  w = step4(w, p2);
  w = step5(w, p1, p2);
  return w.replace(/Y/g, 'y');
}

function step1b(w: string, p1: number): string {
  const suf = longestSuffix(w, ['eed', 'eedly', 'ed', 'edly', 'ing', 'ingly']);
  if (suf === undefined) return w;
  const start = w.length - suf.length;
  if (suf === 'eed' || suf === 'eedly') return start >= p1 ? w.slice(0, start) + 'ee' : w;
  const stem = w.slice(0, start);
  if (![...stem].some(isVowel)) return w;
  if (stem.endsWith('at') || stem.endsWith('bl') || stem.endsWith('iz')) return stem + 'e';
  if (DOUBLES.has(stem.slice(-2))) return stem.slice(0, -1);
  if (stem.length === p1 && endsShortSyllable(stem, stem.length)) return stem + 'e';
  return stem;
}

function step2(w: string, p1: number): string {
  const hit = longestSuffix(w, STEP2);
  if (hit === undefined) return w;
  const [suf, rep] = hit;
  const start = w.length - suf.length;
  if (start < p1) return w;
  if (suf === 'ogi' && w[start - 1] !== 'l') return w;
  if (suf === 'li' && !VALID_LI.has(w[start - 1] ?? '')) return w;
  return w.slice(0, start) + rep;
}

function step3(w: string, p1: number, p2: number): string {
  const hit = longestSuffix(w, STEP3);
  if (hit === undefined) return w;
  const [suf, rep] = hit;
  const start = w.length - suf.length;
  if (start < p1) return w;
  if (suf === 'ative' && start < p2) return w;
  return w.slice(0, start) + rep;
}

function step4(w: string, p2: number): string {
  const suf = longestSuffix(w, STEP4);
  if (suf === undefined) return w;
  const start = w.length - suf.length;
  if (start < p2) return w;
  if (suf === 'ion' && w[start - 1] !== 's' && w[start - 1] !== 't') return w;
  return w.slice(0, start);
}

function step5(w: string, p1: number, p2: number): string {
  const start = w.length - 1;
  if (w.endsWith('e')) {
    if (start >= p2 || (start >= p1 && !endsShortSyllable(w, start))) return w.slice(0, start);
  } else if (w.endsWith('l')) {
    if (start >= p2 && w[start - 1] === 'l') return w.slice(0, start);
  }
  return w;
}
