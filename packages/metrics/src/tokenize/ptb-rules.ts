/**
 * The macros and rules of Stanford CoreNLP's PTBLexer.flex (the pre-3.5 line used by CoreNLP
 * 3.4.1, which pycocoevalcap runs), transcribed to JavaScript regular expressions.
 *
 * JFlex semantics kept: `%caseless` makes literal letters case-insensitive but never character
 * classes (`ci()` below); `[:letter:]`/`[:digit:]` are BMP-only (JFlex 1.4 reads UTF-16 units, so
 * astral characters such as emoji are untokenizable); trailing context `R1/R2` counts R2 in the
 * longest-match comparison. Alternations are split into separate entries (or ordered longest-first)
 * because JS regexes are leftmost-first, not longest.
 */

/** A JFlex caseless literal: letters become [xX], everything else is escaped. */
export function ci(lit: string): string {
  let out = '';
  for (const ch of lit) {
    const lo = ch.toLowerCase();
    const up = ch.toUpperCase();
    if (lo !== up) out += `[${lo}${up}]`;
    else out += /[\\^$.*+?()[\]{}|/]/.test(ch) ? `\\${ch}` : ch;
  }
  return out;
}
const alt = (...xs: string[]): string => `(?:${xs.join('|')})`;
const ciAlt = (words: string): string => alt(...words.split('|').map(ci));

// ---- macros (names as in PTBLexer.flex) ----
const LETTER = '[^\\P{L}\\u{10000}-\\u{10FFFF}]';
const DIGIT = '(?:[^\\P{Nd}\\u{10000}-\\u{10FFFF}]|[\\u07C0-\\u07C9])';
const LD = `(?:${LETTER}|${DIGIT})`;
export const SGML = '<\\/?[A-Za-z!?][^>\\r\\n]*>';
const SPMDASH = `(?:&${ciAlt('MD|mdash|ndash')};|[\\u0096\\u0097\\u2013\\u2014\\u2015])`;
const SPAMP = ci('&amp;');
const SPPUNC = `&${alt(...'HT|TL|UR|LR|QC|QL|QR|odq|cdq'.split('|').map(ci), '#[0-9]+')};`;
const SPLET = `&[aeiouAEIOU]${ciAlt('acute|grave|uml')};`;
const SPACE = '[ \\t\\u00A0\\u2000-\\u200A\\u3000]';
const SPACES = `${SPACE}+`;
const NEWLINE = '(?:\\r?\\n|\\r|\\u2028|\\u2029|\\u000B|\\u000C|\\u0085)';
const SPACENL = `(?:${SPACE}|${NEWLINE})`;
const SPACENLS = `${SPACENL}+`;
const SENTEND = `${SPACENL}(?:${SPACENL}|[A-Z]|${SGML})`;
const DATE = `${DIGIT}{1,2}[\\-\\/]${DIGIT}{1,2}[\\-\\/]${DIGIT}{2,4}`;
const NUM = `(?:${DIGIT}*(?:[.:,\\u00AD\\u066B\\u066C]${DIGIT}+)+|${DIGIT}+)`;
const NUMBER = `[\\-+]?${NUM}`;
const SUBSUPNUM =
  '[\\u207A\\u207B\\u208A\\u208B]?(?:[\\u2070\\u00B9\\u00B2\\u00B3\\u2074-\\u2079]+|[\\u2080-\\u2089]+)';
const FRAC = `(?:${DIGIT}{1,4}[\\- \\u00A0])?${DIGIT}{1,4}(?:\\\\?\\/|\\u2044)${DIGIT}{1,4}`;
const FRAC2 = '[\\u00BC\\u00BD\\u00BE\\u2153-\\u215E]';
const DOLSIGN = '(?:[A-Z]*\\$|#)';
const DOLSIGN2 =
  '[\\u00A2\\u00A3\\u00A4\\u00A5\\u0080\\u20A0\\u20AC\\u060B\\u0E3F\\u20A4\\uFFE0\\uFFE1\\uFFE5\\uFFE6]';
const WORD_EXTRA =
  '[\\u00AD\\u0237-\\u024F\\u02C2-\\u02C5\\u02D2-\\u02DF\\u02E5-\\u02FF\\u0300-\\u036F\\u0370-\\u037D\\u0384\\u0385\\u03CF\\u03F6\\u03FC-\\u03FF\\u0483-\\u0487\\u04CF\\u04F6-\\u04FF\\u0510-\\u0525\\u055A-\\u055F\\u0591-\\u05BD\\u05BF\\u05C1\\u05C2\\u05C4\\u05C5\\u05C7\\u0615-\\u061A\\u063B-\\u063F\\u064B-\\u065E\\u0670\\u06D6-\\u06EF\\u06FA-\\u06FF\\u070F\\u0711\\u0730-\\u074F\\u0750-\\u077F\\u07A6-\\u07B1\\u07CA-\\u07F5\\u07FA\\u0900-\\u0903\\u093C\\u093E-\\u094E\\u0951-\\u0955\\u0962-\\u0963\\u0981-\\u0983\\u09BC-\\u09C4\\u09C7\\u09C8\\u09CB-\\u09CD\\u09D7\\u09E2\\u09E3\\u0A01-\\u0A03\\u0A3C\\u0A3E-\\u0A4F\\u0A81-\\u0A83\\u0ABC-\\u0ACF\\u0B82\\u0BBE-\\u0BC2\\u0BC6-\\u0BC8\\u0BCA-\\u0BCD\\u0C01-\\u0C03\\u0C3E-\\u0C56\\u0D3E-\\u0D44\\u0D46-\\u0D48\\u0E30-\\u0E3A\\u0E47-\\u0E4E\\u0EB1-\\u0EBC\\u0EC8-\\u0ECD]';
export const WORD = `(?:${LETTER}|${SPLET}|${WORD_EXTRA})+`;
const APOS = `(?:['\\u0092\\u2019]|${ci('&apos;')})`;
const APOSETCETERA = `(?:${APOS}|[\\u0091\\u2018\\u201B])`;
const HYPHEN = '[\\-_\\u058A\\u2010\\u2011]';
const THING = `(?:[dDoOlL]${APOSETCETERA}${LD})?${LD}+(?:${HYPHEN}(?:[dDoOlL]${APOSETCETERA}${LD})?${LD}+)*`;
const THINGA = `[A-Z]+(?:(?:[+&]|${SPAMP})[A-Z]+)+`;
const THING3 = '[A-Za-z0-9]+(?:-[A-Za-z]+){0,2}(?:\\\\?\\/[A-Za-z0-9]+(?:-[A-Za-z]+){0,2}){1,2}';
const ACRO_ALTS = [
  '[A-Za-z](?:\\.[A-Za-z])+',
  `${ciAlt('Canada|Sino|Korean|EU|Japan|non')}-${ci('U.S')}`,
  `${ci('U.S.-')}${ciAlt('U.S.S.R|U.K')}`,
];
const ACRO = alt(...ACRO_ALTS);
const HTHING = `[A-Za-z0-9][A-Za-z0-9.,\\u00AD]*(?:-(?:${ACRO}\\.|[A-Za-z0-9\\u00AD]+))+`;
const REDAUX = `${APOS}(?:[msdMSD]|${ciAlt('re|ve|ll')})`;
const SWORD = '[A-Za-z\\u00AD]*[A-MO-Za-mo-z]\\u00AD*';
const SREDAUX = `${ci('n')}${APOSETCETERA}${ci('t')}`;
const APOWORD_ALTS = [
  `${APOS}${ci('n')}${APOS}?`,
  `[lLdDjJ]${APOS}`,
  `${ci('Dunkin')}${APOS}`,
  `${ci('somethin')}${APOS}`,
  `${ci('ol')}${APOS}`,
  `${APOS}${ci('em')}`,
  `[A-HJ-XZn]${APOSETCETERA}${LETTER}{2}${LETTER}*`,
  `${APOS}[2-9]0${ci('s')}`,
  `${APOS}${ci('til')}${ci('l')}?`,
  `${LETTER}${LETTER}*[aeiouyAEIOUY]${APOSETCETERA}[aeiouA-Z]${LETTER}*`,
  `${APOS}${ci('cause')}`,
  `${ci("cont'd")}\\.?`,
  ...["'twas", "nor'easter", "c'mon", "e'er", "s'mores", "ev'ry", "li'l", "nat'l"].map(ci),
];
const APOWORD2 = `${ci('y')}${APOS}`;
const FULLURL = `${ci('http')}${ci('s')}?:\\/\\/[^ \\t\\n\\f\\r"<>|()]+[^ \\t\\n\\f\\r"<>|.!?(){},\\-]`;
const URLTAIL = '(?:\\/[^ \\t\\n\\f\\r"<>|()]+[^ \\t\\n\\f\\r"<>|.!?(){},\\-])?';
const LIKELYURL_ALTS = [
  `${ci('www')}\\.(?:[^ \\t\\n\\f\\r"<>|.!?(){},]+\\.)+[a-zA-Z]{2,4}${URLTAIL}`,
  // `,-_` is a range in JFlex (and here): it excludes digits and capitals from the host part.
  `(?:[^ \\t\\n\\f\\r"\`'<>|.!?(){},-_$]+\\.)+${ciAlt('com|net|org|edu')}${URLTAIL}`,
];
const EMAIL =
  '[a-zA-Z0-9][^ \\t\\n\\f\\r"<>|()\\u00A0]*@(?:[^ \\t\\n\\f\\r"<>|().\\u00A0]+\\.)*[^ \\t\\n\\f\\r"<>|().\\u00A0]+';
const TWITTER_ALTS = ['@[a-zA-Z_][a-zA-Z_0-9]*', `#${WORD}`];
const ABMONTH = ciAlt('Sept|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Oct|Nov|Dec');
const ABDAYS = ciAlt('Tues|Thurs|Mon|Tue|Wed|Thu|Fri');
const ABSTATE = alt(
  ...'Ala|Ariz|Calif|Colo|Conn|Dak|Del|Fla|Ga|Ind|Kans|Kan|Ky|La|Md|Mich|Minn|Mo|Mont|Neb|Nev|Okla|Pa|Penn|Tenn|Tex|Va|Vt|Wisc|Wis|Wyo'
    .split('|')
    .map(ci),
  `A${ci('rk')}`,
  `I${ci('ll')}`,
  `M${ci('ass')}`,
  `M${ci('iss')}`,
  `O${ci('re')}`,
  `W${ci('ash')}`,
);
const ABTITLE = alt(
  ...'Messrs|Lieut|Capt|Brig|Profs|Prof|Sens|Sen|Reps|Rep|Attys|Atty|Govs|Gov|Supts|Supt|Comdr|Cmdr|Mrs|Mr|Ms|Drs|Dr|Lt|Col|Gen|Adm|Rev|Maj|Sgt|Cpl|Pvt|Mt|Ste|St|Ave|Pres|Hon|Pfc|Spc|Det'
    .split('|')
    .map(ci),
  `M${ci('iss')}`,
);
const ABPTIT = alt(
  ...'Jr|Sr|Bros|Blvd|Rd|Esq'.split('|').map(ci),
  `${ciAlt('Ed|Ph')}\\.${ci('D')}`,
);
const ABCOMP = ciAlt(
  'Bancorp|Corp|Cos|Co|Inc|Ptys|Pptys|Pty|Ppty|Ltd|Plc|Dept|Bhd|Assn|Univ|Intl|Sys',
);
const ABCOMP2 = alt(...'Invt|Elec|Natl'.split('|').map(ci), `${ci('M')}[ft]${ci('g')}`);
const ABNUM = ciAlt('Nos|No|Prop|Ph|tel|est|ext|sq|ft');
const ABBREV1 = `(?:${ABMONTH}|${ABDAYS}|${ABSTATE}|${ABCOMP}|${ABNUM}|${ABPTIT}|${ciAlt('etc|al|seq')})\\.`;
const ABBREV4 = alt(
  ci('a.k.a'),
  ACRO,
  ABTITLE,
  ...'TREAS|Alex|vs|Wm|Jos|Cie|cf'.split('|').map(ci),
  ABCOMP2,
  '[A-Za-z]',
);
const ABBREV2 = `${ABBREV4}\\.`;
const ACRONYM = `${ACRO}\\.`;
const ACRONYM_NEXT = alt(
  ...'About|According|Additionally|After|An|A|As|At|But|Earlier|He|Her|Here|However|If|In|It|Last|Many|More|Mr.|Ms.|Now|Once|One|Other|Our|She|Since|So|Some|Such|That|The|Then|There|These|They|This|We|When|While|What|Yet|You'
    .split('|')
    .map((w) => w[0] + ci(w.slice(1))),
  ci('SGML'),
);
const PHONE_ALTS = [
  '(?:\\([0-9]{2,3}\\)[ \\u00A0]?|(?:\\+\\+?)?(?:[0-9]{2,4}[\\- \\u00A0])?[0-9]{2,4}[\\- \\u00A0])[0-9]{3,4}[\\- \\u00A0]?[0-9]{3,5}',
  '(?:(?:\\+\\+?)?[0-9]{2,4}\\.)?[0-9]{2,4}\\.[0-9]{3,4}\\.[0-9]{3,5}',
];
const INSENTP = '[,;:\\u3001]';
const QUOTES_ALTS = [
  APOS,
  "''",
  '[`\\u2018\\u2019\\u201A\\u201B\\u201C\\u201D\\u0091\\u0092\\u0093\\u0094\\u201E\\u201F\\u2039\\u203A\\u00AB\\u00BB]{1,2}',
];
const DBLQUOT = `(?:"|${ci('&quot;')})`;
const TBSPEC_ALTS = [
  `-${ciAlt('RRB|LRB|RCB|LCB|RSB|LSB')}-`,
  ci('C.D.s'),
  ci('pro-'),
  ci('anti-'),
  `${ci('S')}(?:&|${SPAMP})${ci('P-500')}`,
  `${ci('S')}(?:&|${SPAMP})${ci('Ls')}`,
  `${ci('Cap')}${APOS}${ci('n')}`,
  `${ci('c')}${APOS}${ci('est')}`,
];
const TBSPEC2 = `${APOS}[0-9][0-9]`;
const MISCSYMBOL =
  '[+%&~\\^|\\\\\\u00A6\\u00A7\\u00A8\\u00A9\\u00AC\\u00AE\\u00AF\\u00B0-\\u00B3\\u00B4-\\u00BA\\u00D7\\u00F7\\u0387\\u05BE\\u05C0\\u05C3\\u05C6\\u05F3\\u05F4\\u0600-\\u0603\\u0606-\\u060A\\u060C\\u0614\\u061B\\u061E\\u066A\\u066D\\u0703-\\u070D\\u07F6\\u07F7\\u07F8\\u0964\\u0965\\u0E4F\\u1FBD\\u2016\\u2017\\u2020-\\u2023\\u2030-\\u2038\\u203B\\u203E-\\u2042\\u2044\\u207A-\\u207F\\u208A-\\u208E\\u2100-\\u214F\\u2190-\\u21FF\\u2200-\\u2BFF\\u3012\\u30FB\\uFF01-\\uFF0F\\uFF1A-\\uFF20\\uFF3B-\\uFF40\\uFF5B-\\uFF65]';

/** What a rule does with its match; see `ptb-tokenizer.ts` for each action. */
export type RuleAction =
  | 'cannot'
  | 'keep'
  | 'sgml'
  | 'dash'
  | 'amp'
  | 'word'
  | 'softHyphen'
  | 'escapeSlashStar'
  | 'quoteRight'
  | 'quoteLeft'
  | 'escapeSlash'
  | 'frac'
  | 'frac2'
  | 'currency'
  | 'abbrevPushback'
  | 'phone'
  | 'lrb'
  | 'rrb'
  | 'lcb'
  | 'rcb'
  | 'hyphens'
  | 'ellipsis'
  | 'escapeStar'
  | 'skip'
  | 'newline'
  | 'untokenizable';

export interface PtbRule {
  /** Index in PTBLexer.flex order: ties in length go to the lower index. */
  readonly order: number;
  readonly action: RuleAction;
  /** Sticky regex; group 1 is the token, anything after it is trailing context. */
  readonly re: RegExp;
}

const SPECS: [string | string[], RuleAction, string?][] = [
  [ci('cannot'), 'cannot'],
  [SGML, 'sgml'],
  [SPMDASH, 'dash'],
  [SPAMP, 'amp'],
  [SPPUNC, 'keep'],
  [WORD, 'word', REDAUX],
  [SWORD, 'softHyphen', SREDAUX],
  [WORD, 'word'],
  [APOWORD_ALTS, 'keep'],
  [APOWORD2, 'keep', LETTER],
  [FULLURL, 'escapeSlashStar'],
  [LIKELYURL_ALTS, 'escapeSlashStar'],
  [EMAIL, 'keep'],
  [TWITTER_ALTS, 'keep'],
  [REDAUX, 'quoteRight', '[^A-Za-z]'],
  [SREDAUX, 'quoteRight'],
  [DATE, 'escapeSlash'],
  [NUMBER, 'softHyphen'],
  [SUBSUPNUM, 'keep'],
  [FRAC, 'frac'],
  [FRAC2, 'frac2'],
  [TBSPEC_ALTS, 'amp'],
  [THING3, 'escapeSlash'],
  [DOLSIGN, 'keep'],
  [DOLSIGN2, 'currency'],
  [ACRONYM, 'abbrevPushback', `${SPACENLS}${ACRONYM_NEXT}${SPACENL}`],
  [ABBREV1, 'abbrevPushback', SENTEND],
  [ABBREV1, 'keep', '[\\s\\S][\\s\\S]'],
  [ABBREV1, 'abbrevPushback'],
  [ABBREV2, 'keep'],
  [ABBREV4, 'keep', SPACE],
  [ACRO_ALTS, 'keep', SPACENL],
  [TBSPEC2, 'keep', SPACENL],
  [`${WORD}\\.`, 'softHyphen', INSENTP],
  [PHONE_ALTS, 'phone'],
  [DBLQUOT, 'quoteLeft', '[A-Za-z0-9$]'],
  [DBLQUOT, 'quoteRight'],
  ['0[xX]7[fF]', 'skip'],
  [['[<\\[]', ci('&lt;')], 'lrb'],
  [['[>\\]]', ci('&gt;')], 'rrb'],
  ['\\{', 'lcb'],
  ['\\}', 'rcb'],
  ['\\(', 'lrb'],
  ['\\)', 'rrb'],
  ['-+', 'hyphens'],
  [['\\.{3,5}', '(?:\\.[ \\u00A0]){2,4}\\.', '[\\u0085\\u2026]'], 'ellipsis'],
  [['@+', '#+', '_+'], 'keep'],
  [['\\*+', '(?:\\\\\\*){1,3}'], 'escapeStar'],
  [INSENTP, 'keep'],
  ['[?!]+', 'keep'],
  ['[.\\u00A1\\u00BF\\u037E\\u0589\\u061F\\u06D4\\u0700-\\u0702\\u07FA\\u3002]', 'keep'],
  ['=', 'keep'],
  ['\\/', 'escapeSlash'],
  [`${HTHING}\\.`, 'softHyphen', INSENTP],
  [HTHING, 'softHyphen'],
  [`${THING}\\.`, 'keep', INSENTP],
  [THING, 'keep'],
  [`${THINGA}\\.`, 'amp', INSENTP],
  [THINGA, 'amp'],
  ["'", 'quoteLeft', '[A-Za-z][^ \\t\\n\\r\\u00A0]'],
  [REDAUX, 'quoteRight'],
  [QUOTES_ALTS, 'quoteRight'],
  [['<<', '>>'], 'keep'],
  [MISCSYMBOL, 'keep'],
  [['\\u0000', SPACES, '[\\u200B\\u200E-\\u200F\\uFEFF]'], 'skip'],
  [NEWLINE, 'newline'],
  [ci('&nbsp;'), 'skip'],
  ['[^\\n]', 'untokenizable'],
];

export const PTB_RULES: readonly PtbRule[] = SPECS.flatMap(([pat, action, trail], order) =>
  (Array.isArray(pat) ? pat : [pat]).map((p) => ({
    order,
    action,
    re: new RegExp(`(${p})${trail === undefined ? '' : `(?:${trail})`}`, 'uy'),
  })),
);

/** The ABBREV4 / ABBREV1 heads, lower-cased: a letter run equal to one of these is not fast-pathed. */
export const ABBREV_LIKE = new RegExp(`^(?:${ABBREV4}|${ABBREV1.slice(0, -2)})$`, 'u');
