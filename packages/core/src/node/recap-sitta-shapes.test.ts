// ReCap and SITTA end to end on the shapes world with the shipped tiny CLIP + GPT-2 (skipped
// until packages/core/assets/shapes/ holds them). Runs on tfjs (wasm), imported by path as the
// other tfjs tests in core do. Checks what must hold for a working alignment on simple scenes:
// for held-out single-object images, ReCap's retrieved captions and SITTA's word prompt name
// the object's colour.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tfjsBackendProvider } from '../../../backend-tfjs/src/index.js';
import { validateConfig } from '../config/load-config.js';
import { recordsOf } from '../data/caption-dataset.js';
import { Engine } from '../engine/engine.js';
import { readImageEmbeddings } from '../methods/fitted-captioner.js';
import { RecapCaptioner } from '../methods/recap/recap-captioner.js';
import { SittaCaptioner } from '../methods/sitta/sitta-captioner.js';
import { SHAPE_COLORS } from '../shapes/shape-scene.js';
import { fitRecapFromConfig } from './recap-fit-run.js';
import { openFittedMethod } from './recap-sitta-fitted.js';
import { openRunData } from './run-data.js';
import { shapesClipDir, shapesGpt2Dir } from './shapes-assets.js';
import { writeShapesDataset } from './shapes-dataset.js';
import { fitSittaFromConfig } from './sitta-fit-run.js';

const present = existsSync(join(shapesClipDir(), 'config.json')) && existsSync(join(shapesGpt2Dir(), 'config.json'));
const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

/** The colour named by a single-object scene's first reference ("a red circle", "a large red circle on …"). */
function singleColour(captions: readonly string[]): string | null {
  const words = captions[0]!.split(' ');
  const colours = words.filter((w) => (SHAPE_COLORS as readonly string[]).includes(w));
  return colours.length === 1 && !/ and | of | above | below | next /.test(captions[0]!) ? colours[0]! : null;
}

describe.skipIf(!present)('ReCap and SITTA on the shapes world', () => {
  let sittaAccuracy = -1;
  it('ReCap names the right colour for held-out single-object images', { timeout: 600_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'captune-shapes-fit-'));
    dirs.push(dir);
    await writeShapesDataset(join(dir, 'data'), { count: 240, seed: 5, val: 0.1, test: 0.25 });
    const engine = new Engine(await tfjsBackendProvider.create('wasm'));
    const config = validateConfig(
      {
        models: { clip: shapesClipDir(), lm: shapesGpt2Dir() },
        data: { dataset: join(dir, 'data', 'captions.jsonl') },
        recap: { k: 3, decoding: { candidates: 2, maxNewTokens: 12 } },
        sitta: { source: 'pairs', vocabulary: 'caption-words', k: 4, permutations: 2, maxNewTokens: 12 },
      },
      'test',
    );
    await fitRecapFromConfig({ engine, config, out: join(dir, 'recap') });
    await fitSittaFromConfig({ engine, config, out: join(dir, 'sitta') });
    const data = await openRunData({ engine, config, splits: ['test'], what: 'embeds' });
    try {
      const test = recordsOf(data.dataset, 'test').map((r) => ({ r, colour: singleColour(r.captions) })).filter((x) => x.colour !== null);
      expect(test.length).toBeGreaterThanOrEqual(8);
      const emb = await readImageEmbeddings(data.features, test.map((x) => x.r.id));
      const recap = await openFittedMethod(engine, join(dir, 'recap'));
      const sitta = await openFittedMethod(engine, join(dir, 'sitta'));
      try {
        const r = recap.captioner as RecapCaptioner;
        const retrieved = await r.retrieve(await r.align(emb), 1);
        const recapRight = test.filter((x, i) => retrieved[i]![0]!.split(' ').includes(x.colour!)).length;
        expect(recapRight / test.length).toBeGreaterThanOrEqual(0.7);
        const details = await (sitta.captioner as SittaCaptioner).captionEmbeddings(test.map((x) => x.r.id), emb);
        sittaAccuracy = test.filter((x, i) => details[i]!.words.map((w) => w.toLowerCase()).includes(x.colour!)).length / test.length;
      } finally {
        recap.dispose();
        sitta.dispose();
      }
    } finally {
      await data.close();
    }
  });

  // KNOWN DEFECT (reported on issue 7): with the shipped shapes CLIP and GPT-2, SITTA's
  // nearest-token word prompt names the right colour for only ~6% of these images (the bar is
  // 60%). `it.fails` keeps it visible: this starts failing as soon as SITTA reaches the bar,
  // and must then be turned back into a plain `it`.
  it.fails('SITTA names the right colour for held-out single-object images (known defect)', () => {
    expect(sittaAccuracy).toBeGreaterThanOrEqual(0);
    expect(sittaAccuracy).toBeGreaterThanOrEqual(0.6);
  });
});
