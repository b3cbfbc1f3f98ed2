/**
 * Generates the seeded mini corpus used by the metrics golden test (60 images × 5 references,
 * several degenerate candidate systems) and its PTB tokenisation, which
 * reference_metrics.py turns into golden scores:
 *
 *   npx tsx packages/metrics/scripts/make-metrics-fixtures.ts
 *   python3 packages/metrics/scripts/reference_metrics.py \
 *     packages/metrics/fixtures/coco-mini-tokenized.json packages/metrics/fixtures/coco-mini-golden.json
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cocoTokenize } from '../src/tokenize/coco-tokenize.js';

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const rand = mulberry32(20240605);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;

const SUBJ = [
  'A man',
  'A woman',
  'Two dogs',
  'A small child',
  'The cat',
  'A group of people',
  'An old bus',
  "A chef's knife",
  'Some zebras',
  'A red train',
];
const VERB = [
  'is sitting on',
  'stands next to',
  'runs across',
  'looks at',
  "doesn't like",
  'is parked near',
  'plays with',
  'walks toward',
];
const OBJ = [
  'a wooden bench',
  'the grey colour wall',
  'a well-known café',
  'two slices of pizza',
  'a "big" sign',
  'the U.S. flag',
  'a 3.5 inch screen',
  'an ice-cream cone',
  'the theatre',
  'a half-eaten sandwich',
];
const TAIL = [
  '.',
  '',
  ' in the park.',
  ', outside!',
  ' at night...',
  ' (near the lake).',
  ' -- indoors',
  '; it is sunny',
  ' on a sunny day .',
  '?',
];

const refCaption = (): string => `${pick(SUBJ)} ${pick(VERB)} ${pick(OBJ)}${pick(TAIL)}`;

const DEGENERATE: Record<string, () => string> = {
  empty: () => '',
  punct: () => pick(['... !!! , ?', '.', '-- ; :', "'' `` ' `", '( )']),
  caps: () => refCaption().toUpperCase(),
  accents: () =>
    pick([
      "Un café crème à côté de l'hôtel",
      'A naïve señor in São Paulo',
      'Ein Mädchen über der Straße',
    ]),
  emoji: () => pick(['a dog 🐶 on the beach 🏖️', '🙂🙂', 'pizza 🍕 and a cat']),
  brackets: () =>
    pick(['a man (in red) {with} [hat] <b>bold</b>', '(a) [b] {c}', 'a <<quoted>> thing']),
  currency: () =>
    pick(['a sign that says $5.00 €3 £2 ¢', 'it costs US$ 12,000.50', 'price: ¥300 or 1/2 off ½']),
  long: () =>
    Array.from({ length: 120 }, () =>
      pick(['a', 'man', 'dog', 'on', 'the', 'beach', 'with', 'red', 'ball']),
    ).join(' '),
  repeat: () =>
    pick(['a a a a a a a a', 'dog dog dog', 'the the the the the the the the the the the the']),
};

const N_IMAGES = 60;
const ids = Array.from({ length: N_IMAGES }, (_, i) =>
  i % 3 === 0 ? `img-${i}` : String(100000 + i * 37),
);
const refs: Record<string, string[]> = {};
for (const id of ids) refs[id] = Array.from({ length: 5 }, refCaption);

const near = (id: string): string => {
  const r = refs[id]![Math.floor(rand() * 5)]!;
  const words = r.split(' ');
  if (words.length > 3 && rand() < 0.5) words.splice(Math.floor(rand() * words.length), 1);
  if (rand() < 0.5) words.push(pick(['outside', 'today', 'there']));
  return words.join(' ');
};

const systems: Record<string, Record<string, string>> = {};
systems.near = Object.fromEntries(ids.map((id) => [id, near(id)]));
for (const [name, make] of Object.entries(DEGENERATE))
  systems[name] = Object.fromEntries(ids.map((id) => [id, make()]));
const kinds = ['near', ...Object.keys(DEGENERATE)];
systems.mixed = Object.fromEntries(
  ids.map((id, i) => [
    id,
    kinds[i % kinds.length] === 'near' ? near(id) : DEGENERATE[kinds[i % kinds.length]!]!(),
  ]),
);
systems.single_image = { [ids[1]!]: near(ids[1]!) };

const here = dirname(fileURLToPath(import.meta.url));
const fixtures = join(here, '..', 'fixtures');
const raw = { references: refs, systems };
writeFileSync(join(fixtures, 'coco-mini-corpus.json'), `${JSON.stringify(raw, null, 1)}\n`);

const tok = (s: string): string => cocoTokenize(s);
const tokenized: Record<string, { gts: Record<string, string[]>; res: Record<string, string[]> }> =
  {};
for (const [name, cands] of Object.entries(systems)) {
  const gts: Record<string, string[]> = {};
  const res: Record<string, string[]> = {};
  for (const id of Object.keys(cands)) {
    gts[id] = refs[id]!.map(tok);
    res[id] = [tok(cands[id]!)];
  }
  tokenized[name] = { gts, res };
}
writeFileSync(
  join(fixtures, 'coco-mini-tokenized.json'),
  `${JSON.stringify({ systems: tokenized }, null, 1)}\n`,
);
console.log(`wrote ${N_IMAGES} images, ${Object.keys(systems).length} systems`);
