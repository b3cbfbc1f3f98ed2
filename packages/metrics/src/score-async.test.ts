import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { ClipEmbedder } from './clip-score/clip-embedder.js';
import { clipScores } from './clip-score/clip-score.js';
import { meteorScore } from './meteor/meteor-score.js';
import { score, scoreAsync } from './score.js';
import { SpiceUnavailableError } from './spice/spice-score.js';
import { cocoTokenize } from './tokenize/coco-tokenize.js';

const refs = {
  '1': ['A dog runs across the field.', 'The dog is running fast!'],
  '2': ['A cat sleeps on a sofa.', 'a kitten, asleep'],
};
const cands = { '1': 'A dog running in a field.', '2': 'The cat is sleeping.' };
const tokRefs = Object.fromEntries(
  Object.entries(refs).map(([id, rs]) => [id, rs.map(cocoTokenize)]),
);
const tokCands = Object.fromEntries(Object.entries(cands).map(([id, c]) => [id, cocoTokenize(c)]));

/** Embeds every string as a fixed pseudo-random vector, so results can be recomputed. */
function fakeEmbedder(): ClipEmbedder & { texts: string[] } {
  const vec = (s: string): Float32Array => {
    let h = 2166136261;
    for (const ch of s) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
    return Float32Array.from({ length: 8 }, (_, i) => Math.sin(h + i * 7.3) + 0.3);
  };
  const texts: string[] = [];
  return {
    texts,
    embedImages: async (paths) => paths.map(vec),
    embedTexts: async (ts) => {
      texts.push(...ts);
      return ts.map(vec);
    },
  };
}

describe('scoreAsync', () => {
  it("gives score()'s n-gram values and METEOR on the PTB-tokenised captions, in pycocoevalcap key order", async () => {
    const r = await scoreAsync(refs, cands);
    const sync = score(refs, cands);
    expect(Object.keys(r.corpus)).toEqual([
      'Bleu_1',
      'Bleu_2',
      'Bleu_3',
      'Bleu_4',
      'METEOR (no paraphrase)',
      'ROUGE_L',
      'CIDEr',
    ]);
    for (const k of ['Bleu_4', 'ROUGE_L', 'CIDEr'] as const)
      expect(r.corpus[k]).toBe(sync.corpus[k]);
    const m = await meteorScore(tokRefs, tokCands);
    expect(r.corpus['METEOR (no paraphrase)']).toBe(m.corpus);
    expect(r.perImage['2']!['METEOR (no paraphrase)']).toBe(m.perImage['2']);
    expect(r.corpus.METEOR).toBeUndefined();
    expect(
      r.notes.some((n) => n.startsWith('METEOR (no paraphrase): no paraphrase table given')),
    ).toBe(true);
  });

  it('reports METEOR under its own key when a paraphrase table is given', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'score-pt-'));
    writeFileSync(join(dir, 'paraphrase-en.gz'), gzipSync('0.4\nglarp\nblorf\n'));
    const r = await scoreAsync(
      { x: ['zq glarp'] },
      { x: 'zq blorf' },
      {
        metrics: ['meteor'],
        meteor: { paraphraseTable: join(dir, 'paraphrase-en.gz') },
      },
    );
    expect(Object.keys(r.corpus)).toEqual(['METEOR']);
    expect(r.perImage.x!.METEOR).toBeCloseTo((1 + 0.6) / 2, 12);
  });

  it('refuses SPICE without a jar and CLIP scores without a model, before any work', async () => {
    await expect(scoreAsync(refs, cands, { metrics: ['spice'] })).rejects.toThrowError(
      SpiceUnavailableError,
    );
    await expect(scoreAsync(refs, cands, { metrics: ['spice'] })).rejects.toThrowError(
      /SPICE unavailable: no SPICE jar given; give --spice-jar/,
    );
    await expect(scoreAsync(refs, cands, { metrics: ['clips'] })).rejects.toThrowError(
      /CLIP-S need a CLIP model/,
    );
    const clip = { embedder: fakeEmbedder(), images: { '1': 'a.png', '2': 'b.png' } };
    await expect(scoreAsync(refs, cands, { metrics: ['refaclips'], clip })).rejects.toThrowError(
      /need a fitted ReCap alignment/,
    );
    await expect(scoreAsync(refs, { '1': 'x' }, { metrics: ['bleu'] })).rejects.toThrowError(
      /references without a candidate for image ids "2"/,
    );
  });

  it('runs SPICE through the jar on the tokenised captions', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'score-spice-'));
    const jar = join(dir, 'spice-1.0.jar');
    writeFileSync(jar, 'not a jar');
    writeFileSync(
      join(dir, 'fake.mjs'),
      `import { readFileSync, writeFileSync } from 'node:fs';
const args = process.argv.slice(2);
const input = JSON.parse(readFileSync(args[3], 'utf8'));
writeFileSync(${JSON.stringify(join(dir, 'input.json'))}, JSON.stringify(input));
writeFileSync(args[args.indexOf('-out') + 1], JSON.stringify(input.map((it) => ({ image_id: it.image_id, scores: { All: { f: it.image_id / 10 } } }))));`,
    );
    const java = join(dir, 'java');
    writeFileSync(java, `#!/bin/sh\nexec "${process.execPath}" "${join(dir, 'fake.mjs')}" "$@"\n`);
    chmodSync(java, 0o755);
    const r = await scoreAsync(refs, cands, {
      metrics: ['bleu', 'spice'],
      spice: { jarPath: jar, javaPath: java },
    });
    expect(r.corpus.SPICE).toBeCloseTo(0.15, 15);
    expect(r.perImage['2']!.SPICE).toBe(0.2);
    const sent = JSON.parse(readFileSync(join(dir, 'input.json'), 'utf8')) as {
      image_id: number;
      test: string;
      refs: string[];
    }[];
    expect(sent[0]).toEqual({ image_id: 1, test: tokCands['1'], refs: tokRefs['1'] });
  });

  it('adds CLIP-based scores on the raw captions under their own keys', async () => {
    const embedder = fakeEmbedder();
    const images = { '1': 'a.png', '2': 'b.png' };
    const alignment = { dim: 8, apply: (v: Float32Array) => v.map((x, i) => x * (i + 1)) };
    const r = await scoreAsync(refs, cands, {
      metrics: ['cider', 'clips', 'refclips', 'aclips', 'refaclips'],
      clip: { embedder, images, alignment },
    });
    expect(Object.keys(r.perImage['1']!)).toEqual([
      'CIDEr',
      'CLIP-S',
      'RefCLIP-S',
      'aCLIP-S',
      'RefaCLIP-S',
    ]);
    expect(embedder.texts).toContain('A photo depicts A dog runs across the field.');
    const direct = await clipScores(refs, cands, { embedder: fakeEmbedder(), images, alignment });
    expect(r.corpus['RefaCLIP-S']).toBe(direct.corpus['RefaCLIP-S']);
    expect(r.perImage['2']!['CLIP-S']).toBe(direct.perImage['2']!['CLIP-S']);
  });
});
