import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CaptuneError } from '@captune/core';
import { describe, expect, it } from 'vitest';
import { readReferencesFile, readResultsFile } from './read-caption-file.js';
import { parseReferences } from './read-references.js';
import { parseResults } from './read-results.js';

describe('parseReferences', () => {
  it('reads COCO annotations and groups captions by string image id', () => {
    const refs = parseReferences(
      {
        images: [],
        annotations: [
          { image_id: 42, id: 1, caption: 'a' },
          { image_id: '42', caption: 'b' },
          { image_id: 7, caption: 'c' },
        ],
      },
      'captions_val.json',
    );
    expect(refs).toEqual({ '42': ['a', 'b'], '7': ['c'] });
  });
  it('reads a plain map', () => {
    expect(parseReferences({ x: ['a', 'b'] }, 'r.json')).toEqual({ x: ['a', 'b'] });
  });
  it('names file, record and field on bad input', () => {
    expect(() =>
      parseReferences(
        {
          annotations: [
            { image_id: 1, caption: 'a' },
            { image_id: 2, caption: 5 },
          ],
        },
        'refs.json',
      ),
    ).toThrowError('refs.json: annotation 1: caption must be a string, got number');
    expect(() => parseReferences({ annotations: [{ caption: 'a' }] }, 'refs.json')).toThrowError(
      'refs.json: annotation 0: image_id is missing',
    );
    expect(() =>
      parseReferences({ annotations: [{ image_id: null, caption: 'a' }] }, 'refs.json'),
    ).toThrowError('refs.json: annotation 0: image_id must be a number or a string, got null');
    expect(() => parseReferences({ x: ['a', 3] }, 'r.json')).toThrowError(
      'r.json: image "x" [1]: value must be a string, got number',
    );
    expect(() => parseReferences({ x: [] }, 'r.json')).toThrowError(
      'r.json: image "x": no reference captions',
    );
    expect(() => parseReferences([1], 'r.json')).toThrowError(CaptuneError);
  });
});

describe('parseResults', () => {
  it('reads a COCO results list and a plain map', () => {
    expect(
      parseResults(
        [
          { image_id: 1, caption: 'a' },
          { image_id: 'b', caption: 'c', score: 0.3 },
        ],
        'res.json',
      ),
    ).toEqual({ '1': 'a', b: 'c' });
    expect(parseResults({ '1': 'a' }, 'res.json')).toEqual({ '1': 'a' });
  });
  it('names file, record and field on bad input', () => {
    const recs = [
      { image_id: 1, caption: 'a' },
      { image_id: 2, caption: 'b' },
      { image_id: 3, caption: 'c' },
      { image_id: 4, caption: 4 },
    ];
    expect(() => parseResults(recs, 'results.json')).toThrowError(
      'results.json: record 3: caption must be a string, got number',
    );
    expect(() =>
      parseResults(
        [
          { image_id: 1, caption: 'a' },
          { image_id: 1, caption: 'b' },
        ],
        'results.json',
      ),
    ).toThrowError('results.json: record 1: image_id 1 already has a caption (record 0)');
    expect(() => parseResults({ a: null }, 'results.json')).toThrowError(
      'results.json: image "a": caption must be a string, got null',
    );
    expect(() => parseResults('x', 'results.json')).toThrowError(
      /results\.json: results must be a JSON array/,
    );
  });
});

describe('file readers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'captune-metrics-'));
  it('read JSON files and report bad JSON in one line', async () => {
    writeFileSync(
      join(dir, 'refs.json'),
      JSON.stringify({ annotations: [{ image_id: 1, caption: 'a dog' }] }),
    );
    writeFileSync(join(dir, 'res.json'), '[{"image_id": 1, "caption": "a dog"}');
    expect(await readReferencesFile(join(dir, 'refs.json'))).toEqual({ '1': ['a dog'] });
    await expect(readResultsFile(join(dir, 'res.json'))).rejects.toThrowError(
      /^res\.json: not valid JSON/,
    );
    await expect(readResultsFile(join(dir, 'missing.json'))).rejects.toThrowError(
      /missing\.json: cannot read file \(ENOENT\)/,
    );
  });
});
