import { describe, expect, it } from 'vitest';
import { meteorNormalize, normalizeLineEnglish } from './normalizer.js';

// Expected strings derived by applying Normalizer.java's rules in order by hand.
describe('METEOR -norm normalizer', () => {
  it('leaves pycocoevalcap-style tokenised captions alone', () => {
    expect(meteorNormalize('a man riding a horse on the beach')).toBe('a man riding a horse on the beach');
  });

  it('splits symbols, multi-dots, commas outside numbers, contractions and dashes', () => {
    expect(meteorNormalize("Mr. Smith's dog -- it's U.S.-based, costs $1,000.50... really?!")).toBe(
      "mr. smith 's dog - it 's us based , costs $ 1,000.50 ... really ? !",
    );
  });

  it('splits a final dot unless the word is a nonbreaking prefix', () => {
    expect(normalizeLineEnglish('the end.')).toBe('the end .');
    expect(normalizeLineEnglish('ask Dr. Who')).toBe('ask Dr. Who');
    expect(normalizeLineEnglish('see No. 5')).toBe('see No. 5'); // numeric-only prefix before a number
    expect(normalizeLineEnglish('say No. Then')).toBe('say No . Then');
  });

  it('handles English apostrophes like Java does', () => {
    expect(meteorNormalize("a 1990's car")).toBe("a 1990 's car");
    expect(meteorNormalize("rock 'n' roll")).toBe("rock ' n ' roll");
    expect(meteorNormalize('\u201Cquoted\u201D text')).toBe('" quoted " text');
  });

  it('lower-cases after normalising and trims whitespace', () => {
    expect(meteorNormalize('  Two   DOGS\tplay ')).toBe('two dogs play');
  });
});
