import { describe, expect, it } from 'vitest';
import { americanize } from './americanize.js';
import { cocoTokenize } from './coco-tokenize.js';
import { ptbTokenize } from './ptb-tokenizer.js';

// Expected outputs derived by hand from the PTBLexer.flex rules (see ptb-rules.ts) with
// pycocoevalcap's options, then lower-cased and with its PUNCTUATIONS removed.
const CASES: [string, string][] = [
  ['A man riding a horse.', 'a man riding a horse'],
  ["I don't know, he cannot go.", "i do n't know he can not go"],
  ["CAN'T stop", "ca n't stop"],
  ['The dog\'s ball (red) is "big"...', "the dog 's ball -lrb- red -rrb- is big"], // -LRB- survives: lower-cased before the filter
  ['It costs $3.50 or €5 -- 1/2 price!', 'it costs $ 3.50 or $ 5 1\\/2 price'],
  ['colour grey Colour theatre', 'color gray colour theater'], // americanize is case-sensitive
  ['emoji 🙂 here', 'emoji here'], // astral characters are untokenizable and deleted
  ["well-known co-op o'clock", "well-known co-op o'clock"],
  ['Mr. Smith a. etc. Inc.', 'mr. smith a. etc. inc.'],
  ['salt and/or pepper', 'salt and\\/or pepper'],
  ['5 7/8 inches', '5\u00a07\\/8 inches'],
  ['Ellipsis . . . and \u2026', 'ellipsis and'],
  ['&amp; AT&T', '& at&t'],
  ['3.14 1,000 -5 +7', '3.14 1,000 -5 +7'],
  ['A cat [on] {a} <mat>', 'a cat -lrb- on -rrb- -lcb- a -rcb- <mat>'],
  ['WOW!!! A DOG?!', 'wow !!! a dog ?!'], // [?!]+ is one token; only "!" and "?" are in PUNCTUATIONS
  ['it\u2019s John\u2019s', "it 's john 's"],
  ['\u201cHello\u201d \u2018world\u2019', 'hello world'],
  ['na\u00efve caf\u00e9 S\u00e3o Paulo', 'na\u00efve caf\u00e9 s\u00e3o paulo'],
  ['email john.doe@example.com now', 'email john.doe@example.com now'],
  ['see www.google.com', 'see www.google.com'],
  ['http://example.com/a/b', 'http:\\/\\/example.com\\/a\\/b'],
  ['gonna go', 'gonna go'],
  ['Hi\u00a0there', 'hi there'],
  ['A\u200bb', 'a b'],
  ['', ''],
  ['!!!', '!!!'],
  ['Stop! Now? Yes.', 'stop now yes'],
  ['#hashtag @user', '#hashtag @user'],
  ['50% off', '50 % off'],
  ['x*y', 'x \\* y'],
  ['Hello\nworld', 'hello world'],
  ['\u00bd cup', '1\\/2 cup'],
  ['U.S. army', 'u.s. army'],
  ['the 1990s', 'the 1990s'],
  ["the '90s", "the '90s"],
  ['A red, white and blue bus; parked: here', 'a red white and blue bus parked here'],
  ['a T-shirt and a hot-dog', 'a t-shirt and a hot-dog'],
  ['   leading and trailing   ', 'leading and trailing'],
  ['two--dashes', 'two dashes'],
  ['Two people (a man & a woman)', 'two people -lrb- a man & a woman -rrb-'],
];

describe('cocoTokenize (pycocoevalcap PTB tokenisation)', () => {
  for (const [input, expected] of CASES) {
    it(`${JSON.stringify(input)} → ${JSON.stringify(expected)}`, () => {
      expect(cocoTokenize(input)).toBe(expected);
    });
  }
});

describe('ptbTokenize', () => {
  it('splits contractions and normalises brackets and quotes', () => {
    expect(ptbTokenize('"Don\'t (go)"')).toEqual(['``', 'Do', "n't", '-LRB-', 'go', '-RRB-', "''"]);
  });
  it('keeps the period of an abbreviation and re-lexes it before a capital', () => {
    expect(ptbTokenize('etc. The')).toEqual(['etc.', '.', 'The']);
    expect(ptbTokenize('etc. the')).toEqual(['etc.', 'the']);
  });
  it('emits newline tokens', () => {
    expect(ptbTokenize('a\nb')).toEqual(['a', '*NL*', 'b']);
  });
});

describe('americanize', () => {
  it('maps listed words and the -our pattern, with exceptions', () => {
    expect(americanize('colour')).toBe('color');
    expect(americanize('neighbours')).toBe('neighbors');
    expect(americanize('contour')).toBe('contour');
    expect(americanize('programme')).toBe('program');
    expect(americanize('leukaemia')).toBe('leukemia');
    expect(americanize('dog')).toBe('dog');
  });
  it('keeps the Java disjunctive-pattern quirk: plain "haemo-" words are not changed', () => {
    expect(americanize('haemoglobin')).toBe('haemoglobin');
    expect(americanize('haematology')).toBe('hematology');
  });
});
