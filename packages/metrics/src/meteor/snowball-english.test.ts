import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { snowballEnglishStem } from './snowball-english.js';

describe('snowballEnglishStem', () => {
  it('matches every pair of the official Snowball English vocabulary sample', () => {
    const text = readFileSync(new URL('./fixtures/snowball-english-sample.tsv', import.meta.url), 'utf8');
    const pairs = text.split('\n').filter((l) => l !== '' && !l.startsWith('#')).map((l) => l.split('\t') as [string, string]);
    expect(pairs.length).toBeGreaterThan(1900);
    const wrong = pairs.filter(([w, s]) => snowballEnglishStem(w) !== s).map(([w, s]) => `${w}: ${s} vs ${snowballEnglishStem(w)}`);
    expect(wrong).toEqual([]);
  });

  it('applies the exception lists and the short-word rule', () => {
    expect(snowballEnglishStem('skies')).toBe('sky');
    expect(snowballEnglishStem('dying')).toBe('die');
    expect(snowballEnglishStem('news')).toBe('news');
    expect(snowballEnglishStem('proceed')).toBe('proceed'); // exception2 stops after step 1a
    expect(snowballEnglishStem('is')).toBe('is'); // fewer than 3 letters
  });

  it('handles regions, y and apostrophes as Porter2 specifies', () => {
    expect(snowballEnglishStem('generously')).toBe('generous'); // "gener" region prefix
    expect(snowballEnglishStem('hoping')).toBe('hope'); // short word gets its e back
    expect(snowballEnglishStem('boxes')).toBe('box'); // final x is not a short syllable
    expect(snowballEnglishStem('cries')).toBe('cri');
    expect(snowballEnglishStem('ties')).toBe('tie');
    expect(snowballEnglishStem('enjoying')).toBe('enjoy'); // y after a vowel is a consonant
    expect(snowballEnglishStem("dog's")).toBe('dog');
    expect(snowballEnglishStem('running')).toBe('run');
  });
});
