/**
 * British → American spelling as Stanford CoreNLP's `edu.stanford.nlp.process.Americanize`
 * (Java-7-era version, pre-3.5) does it; PTBLexer applies it to {WORD} tokens when its
 * `americanize` option is on (the default before CoreNLP 3.5). Case-sensitive, like the original:
 * "colour" → "color" but "Colour" stays. Month/day names are capitalised here ("monday" →
 * "Monday"); pycocoevalcap lower-cases afterwards, so that is invisible there.
 */

// prettier-ignore
const CONVERTERS = [
  'anaesthetic', 'analogue', 'analogues', 'analyse', 'analysed', 'analysing', 'armoured',
  'cancelled', 'cancelling', 'candour', 'capitalise', 'capitalised', 'capitalisation', 'centre',
  'chimaeric', 'clamour', 'coloured', 'colouring', 'colourful', 'defence', 'Defence', 'discolour',
  'discolours', 'discoloured', 'discolouring', 'encyclopaedia', 'endeavour', 'endeavours',
  'endeavoured', 'endeavouring', 'fervour', 'favour', 'favours', 'favoured', 'favouring',
  'favourite', 'favourites', 'fibre', 'fibres', 'finalise', 'finalised', 'finalising', 'flavour',
  'flavours', 'flavoured', 'flavouring', 'glamour', 'grey', 'harbour', 'harbours', 'homologue',
  'homologues', 'honour', 'honours', 'honoured', 'honouring', 'honourable', 'humour', 'humours',
  'humoured', 'humouring', 'kerb', 'labelled', 'labelling', 'labour', 'Labour', 'labours',
  'laboured', 'labouring', 'leant', 'learnt', 'localise', 'localised', 'manoeuvre', 'manoeuvres',
  'maximise', 'maximised', 'maximising', 'meagre', 'minimise', 'minimised', 'minimising',
  'modernise', 'modernised', 'modernising', 'misdemeanour', 'misdemeanours', 'neighbour',
  'neighbours', 'neighbourhood', 'neighbourhoods', 'oestrogen', 'oestrogens', 'organisation',
  'organisations', 'penalise', 'penalised', 'popularise', 'popularised', 'popularises',
  'popularising', 'practise', 'practised', 'pressurise', 'pressurised', 'pressurises',
  'pressurising', 'realise', 'realised', 'realising', 'realises', 'recognise', 'recognised',
  'recognising', 'recognises', 'rumoured', 'rumouring', 'savour', 'savours', 'savoured',
  'savouring', 'splendour', 'splendours', 'theatre', 'theatres', 'titre', 'titres', 'travelled',
  'travelling'
];
// prettier-ignore
const CONVERTED = [
  'anesthetic', 'analog', 'analogs', 'analyze', 'analyzed', 'analyzing', 'armored', 'canceled',
  'canceling', 'candor', 'capitalize', 'capitalized', 'capitalization', 'center', 'chimeric',
  'clamor', 'colored', 'coloring', 'colorful', 'defense', 'Defense', 'discolor', 'discolors',
  'discolored', 'discoloring', 'encyclopedia', 'endeavor', 'endeavors', 'endeavored',
  'endeavoring', 'fervor', 'favor', 'favors', 'favored', 'favoring', 'favorite', 'favorites',
  'fiber', 'fibers', 'finalize', 'finalized', 'finalizing', 'flavor', 'flavors', 'flavored',
  'flavoring', 'glamour', 'gray', 'harbor', 'harbors', 'homolog', 'homologs', 'honor', 'honors',
  'honored', 'honoring', 'honorable', 'humor', 'humors', 'humored', 'humoring', 'curb', 'labeled',
  'labeling', 'labor', 'Labor', 'labors', 'labored', 'laboring', 'leaned', 'learned', 'localize',
  'localized', 'maneuver', 'maneuvers', 'maximize', 'maximized', 'maximizing', 'meager',
  'minimize', 'minimized', 'minimizing', 'modernize', 'modernized', 'modernizing', 'misdemeanor',
  'misdemeanors', 'neighbor', 'neighbors', 'neighborhood', 'neighborhoods', 'estrogen',
  'estrogens', 'organization', 'organizations', 'penalize', 'penalized', 'popularize',
  'popularized', 'popularizes', 'popularizing', 'practice', 'practiced', 'pressurize',
  'pressurized', 'pressurizes', 'pressurizing', 'realize', 'realized', 'realizing', 'realizes',
  'recognize', 'recognized', 'recognizing', 'recognizes', 'rumored', 'rumoring', 'savor',
  'savors', 'savored', 'savoring', 'splendor', 'splendors', 'theater', 'theaters', 'titer',
  'titers', 'traveled', 'traveling'
];
// prettier-ignore
const TIMEX = [
  'january', 'february', 'april', 'june', 'july', 'august', 'september', 'october', 'november',
  'december', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'
];

const MAPPING = new Map<string, string>(CONVERTERS.map((w, i) => [w, CONVERTED[i]!]));
for (const t of TIMEX) MAPPING.set(t, t[0]!.toUpperCase() + t.slice(1)); // timex first, then mapping: disjoint

const OUR_EXCEPTIONS =
  /abatjour|beflour|bonjour|calambour|carrefour|cornflour|contour|de[tv]our|dortour|dyvour|downpour|giaour|glamour|holour|inpour|outpour|pandour|paramour|pompadour|recontour|repour|ryeflour|sompnour|tambour|troubadour|tregetour|velour/;

/** Java `Matcher.find()` + `replaceAll` over these, first hit wins (the `our` rule has exceptions). */
const PATTERNS: readonly [RegExp, string, RegExp | null][] = [
  [/haem(at)?o/g, 'hem$1o', null],
  [/aemia$/g, 'emia', null],
  [/([lL])eukaem/g, '$1eukem', null],
  [/programme(s?)$/g, 'program$1', null],
  [/^([a-z]{3,})our(s?)$/g, '$1or$2', OUR_EXCEPTIONS],
];
// Java builds this by deleting the parentheses from each pattern, so "haem(at)?o" becomes
// "haemat?o" and plain "haemo…" never reaches the pattern loop (a quirk kept on purpose).
const DISJUNCTIVE = /haemat?o|aemia$|[lL]eukaem|programmes?$|^[a-z]{3,}ours?$/;

export function americanize(word: string): string {
  const n = word.length;
  if (n < 4) return word;
  const mapped = MAPPING.get(word);
  if (mapped !== undefined) return mapped;
  if (n < 6 || !DISJUNCTIVE.test(word)) return word;
  for (const [pat, rep, except] of PATTERNS) {
    pat.lastIndex = 0;
    if (!pat.test(word)) continue;
    if (except !== null && except.test(word)) continue;
    pat.lastIndex = 0;
    // Java's "$1" for an unmatched optional group is "" — same as JS's replace with a function.
    return word.replace(pat, (...m: unknown[]) =>
      rep.replace(/\$(\d)/g, (_s, d: string) => (m[Number(d)] as string | undefined) ?? ''),
    );
  }
  return word;
}
