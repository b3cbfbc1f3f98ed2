import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ParaphraseTable } from './paraphrase-table.js';

// METEOR's paraphrase-en.gz format: probability / phrase / paraphrase, three lines per record.
const TABLE = ['0.3', 'sits', 'is sitting', '0.2', 'a lot of', 'many', '0.1', 'a lot', 'much', ''].join('\n');

describe('ParaphraseTable', () => {
  it('parses records into a phrase trie with shortest-first paths', () => {
    const t = ParaphraseTable.fromText(TABLE);
    expect(t.size).toBe(3);
    const words = ['a', 'lot', 'of', 'dogs'].map((w) => t.translate(w));
    expect(t.translate('dogs')).toBe(-1);
    const paths = t.referencePaths(words, 0);
    expect(paths.map(([len]) => len)).toEqual([2, 3]); // "a lot" then "a lot of"
    expect(t.paraphrase(paths[1]![1]).map((id) => id === t.translate('many'))).toEqual([true]);
  });

  it('loads gzip and plain files alike', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'meteor-para-'));
    writeFileSync(join(dir, 'p.gz'), gzipSync(TABLE));
    writeFileSync(join(dir, 'p.txt'), TABLE);
    expect((await ParaphraseTable.load(join(dir, 'p.gz'))).size).toBe(3);
    expect((await ParaphraseTable.load(join(dir, 'p.txt'))).size).toBe(3);
  });

  it('rejects malformed tables and missing files with the file named', async () => {
    expect(() => ParaphraseTable.fromText('0.5\nonly one line\n', 't.gz')).toThrow(/t\.gz: truncated record/);
    expect(() => ParaphraseTable.fromText('sits\nis sitting\nsat\n', 't.gz')).toThrow(/t\.gz: line 1 should be a probability/);
    await expect(ParaphraseTable.load('/nonexistent/paraphrase-en.gz')).rejects.toThrow(/paraphrase-en\.gz: cannot open/);
  });
});

describe('ParaphraseTable.load errors', () => {
  it('gives the line number of a bad record in a gzip file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'meteor-para-bad-'));
    writeFileSync(join(dir, 'bad.gz'), gzipSync('0.3\nsits\nis sitting\nnot-a-number\nx\ny\n'));
    await expect(ParaphraseTable.load(join(dir, 'bad.gz'))).rejects.toThrow(/bad\.gz: line 4 should be a probability/);
  });
});
