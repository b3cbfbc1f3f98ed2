import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '@captune/core';
import { ReferenceBackend } from '@captune/core/conformance';
import { openClipFolderEmbedder, score, scoreAsync, writeAlignmentFile } from '@captune/metrics';
import { afterAll, describe, expect, it } from 'vitest';
import type { ScoreOutput } from './score-command.js';
import { FIXTURES, TINY_CLIP } from './testing/cli-fixtures.js';
import { runCaptured, runJson } from './testing/run-captured.js';

const tmp = mkdtempSync(join(tmpdir(), 'captune-score-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const file = (name: string, data: unknown): string => {
  const p = join(tmp, name);
  writeFileSync(p, typeof data === 'string' ? data : JSON.stringify(data));
  return p;
};

const refs = {
  '1': ['A dog runs across the field.', 'The dog is running fast!'],
  '2': ['A cat sleeps on a sofa.', 'a kitten, asleep'],
};
const cands = { '1': 'A dog running in a field.', '2': 'The cat is sleeping.' };
const cocoRefs = file('captions.json', {
  images: [
    { id: 1, file_name: 'one.png' },
    { id: 2, file_name: 'two.png' },
  ],
  annotations: Object.entries(refs).flatMap(([id, rs]) =>
    rs.map((caption) => ({ image_id: Number(id), caption })),
  ),
});
const cocoResults = file(
  'results.json',
  Object.entries(cands).map(([id, caption]) => ({ image_id: Number(id), caption })),
);

describe('captune score', () => {
  it('--json: pycocoevalcap keys and values, METEOR labelled as computed without paraphrases', async () => {
    const r = await runJson<ScoreOutput>(
      'score',
      '--refs',
      cocoRefs,
      '--results',
      cocoResults,
      '--json',
    );
    const want = await scoreAsync(refs, cands);
    expect(Object.keys(r.corpus)).toEqual([
      'Bleu_1',
      'Bleu_2',
      'Bleu_3',
      'Bleu_4',
      'METEOR (no paraphrase)',
      'ROUGE_L',
      'CIDEr',
    ]);
    expect(r.corpus).toEqual(want.corpus);
    expect(r.perImage).toEqual(want.perImage);
    expect(r.notes).toContain(
      'METEOR (no paraphrase): no paraphrase table given: paraphrase module disabled',
    );
  });

  it('reads plain maps too, computes only --metrics, and prints a table', async () => {
    const res = file('map-results.json', cands);
    const r = await runCaptured(
      'score',
      '--refs',
      file('map-refs.json', refs),
      '--results',
      res,
      '--metrics',
      'cider,bleu',
    );
    expect(r.code).toBe(0);
    const want = score(refs, cands, { metrics: ['bleu', 'cider'] }).corpus;
    expect(r.stdout).toContain(`Bleu_4   ${want.Bleu_4!.toFixed(4)}`);
    expect(r.stdout).toContain(`\nCIDEr    ${want.CIDEr!.toFixed(4)}\n`);
    expect(r.stdout).not.toMatch(/ROUGE_L|METEOR/);
  });

  it('gives one-line errors naming the file and record, with exit codes 1 and 2', async () => {
    const bad = await runCaptured(
      'score',
      '--refs',
      cocoRefs,
      '--results',
      file('bad.json', [
        { image_id: 1, caption: 'a' },
        { image_id: 2, caption: 7 },
      ]),
      '--metrics',
      'bleu',
    );
    expect([bad.code, bad.stderr]).toEqual([
      1,
      'captune score: bad.json: record 1: caption must be a string, got number\n',
    ]);
    const broken = await runCaptured(
      'score',
      '--refs',
      file('broken.json', '{"1": ['),
      '--results',
      cocoResults,
    );
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/^captune score: broken\.json: not valid JSON \(.*\)\n$/);
    const extra = await runCaptured(
      'score',
      '--refs',
      cocoRefs,
      '--results',
      file('extra.json', { ...cands, '9': 'x' }),
      '--metrics',
      'bleu',
    );
    expect([extra.code, extra.stderr]).toEqual([
      1,
      'captune score: candidates without references for image ids "9"\n',
    ]);
    const spice = await runCaptured(
      'score',
      '--refs',
      cocoRefs,
      '--results',
      cocoResults,
      '--metrics',
      'spice',
    );
    expect(spice.code).toBe(1);
    expect(spice.stderr).toMatch(
      /^captune score: SPICE unavailable: no SPICE jar given; give --spice-jar PATH/,
    );
    const usage = [
      [['--results', cocoResults], 'missing --refs FILE'],
      [
        ['--refs', cocoRefs, '--results', cocoResults, '--metrics', 'bleu,blue'],
        '--metrics: unknown metric "blue"',
      ],
      [
        ['--refs', cocoRefs, '--results', cocoResults, '--metrics', 'clips'],
        '--metrics clips needs --clip-model DIR and --images DIR',
      ],
      [
        [
          '--refs',
          cocoRefs,
          '--results',
          cocoResults,
          '--clip-model',
          TINY_CLIP,
          '--images',
          FIXTURES,
          '--metrics',
          'aclips',
        ],
        'aclips and refaclips need --alignment FILE',
      ],
    ] as const;
    for (const [args, message] of usage) {
      const u = await runCaptured('score', ...args);
      expect(u.code).toBe(2);
      expect(u.stderr.split('\n')[0]).toContain(message);
    }
  });

  it('CLIP-S, RefCLIP-S, aCLIP-S, RefaCLIP-S with the tiny CLIP equal the library on the same backend', async () => {
    const imgRefs = {
      'circle-32x32.png': ['a red circle', 'a big circle'],
      'noise-48x40.png': ['a green square'],
    };
    const imgCands = {
      'circle-32x32.png': 'a photo of a red circle',
      'noise-48x40.png': 'a blue triangle',
    };
    const w = new Float32Array(16 * 16).map((_, k) => (k % 17 === 0 ? 1 : Math.cos(k) * 0.2));
    const alignment = join(tmp, 'w.safetensors');
    await writeAlignmentFile(alignment, w, 16);
    const args = [
      '--refs',
      file('img-refs.json', imgRefs),
      '--results',
      file('img-res.json', imgCands),
      '--clip-model',
      TINY_CLIP,
      '--images',
      FIXTURES,
    ];
    const r = await runJson<ScoreOutput>(
      'score',
      ...args,
      '--alignment',
      alignment,
      '--metrics',
      'bleu,clips,refclips,aclips,refaclips',
      '--backend',
      'reference',
      '--json',
    );
    expect(Object.keys(r.corpus)).toEqual([
      'Bleu_1',
      'Bleu_2',
      'Bleu_3',
      'Bleu_4',
      'CLIP-S',
      'RefCLIP-S',
      'aCLIP-S',
      'RefaCLIP-S',
    ]);

    const engine = new Engine(new ReferenceBackend());
    const embedder = await openClipFolderEmbedder(engine, TINY_CLIP);
    const { readAlignmentFile } = await import('@captune/metrics');
    const images = Object.fromEntries(Object.keys(imgRefs).map((f) => [f, join(FIXTURES, f)]));
    const want = await scoreAsync(imgRefs, imgCands, {
      metrics: ['clips', 'refclips', 'aclips', 'refaclips'],
      clip: { embedder, images, alignment: await readAlignmentFile(alignment) },
    });
    embedder.dispose();
    for (const [k, v] of Object.entries(want.corpus)) expect(r.corpus[k], k).toBeCloseTo(v, 12);
    for (const id of Object.keys(imgRefs))
      expect(r.perImage[id]!['RefaCLIP-S']).toBeCloseTo(want.perImage[id]!['RefaCLIP-S']!, 12);

    const wrong = join(tmp, 'w8.safetensors');
    await writeAlignmentFile(wrong, new Float32Array(64), 8);
    const dim = await runCaptured('score', ...args, '--alignment', wrong, '--backend', 'reference');
    expect([dim.code, dim.stderr]).toEqual([
      1,
      `captune score: ${wrong}: W is 8×8 but ${TINY_CLIP} embeds in 16 dimensions\n`,
    ]);
    const missing = await runCaptured(
      'score',
      ...args.slice(0, 6),
      '--images',
      tmp,
      '--metrics',
      'clips',
    );
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(
      `captune score: image "circle-32x32.png": file ${join(tmp, 'circle-32x32.png')} does not exist\n`,
    );
  });
});
