import { describe, expect, it } from 'vitest';
import { Engine } from '../../engine/engine.js';
import { CaptuneError } from '../../errors/captune-error.js';
import { ReferenceBackend } from '../../reference/index.js';
import { editCheckpoint } from '../testing/checkpoint-files.js';
import { languageDecoderSuite, loadFiles } from '../testing/language-decoder-suite.js';
import { tinyOptCheckpoint } from '../testing/tiny-opt.js';
import { OptModel } from './opt-model.js';

languageDecoderSuite('OPT (pre-LN, opt-125m layout)', () => tinyOptCheckpoint({ seed: 5 }));
languageDecoderSuite('OPT (post-LN with project_in/out, opt-350m layout)', () =>
  tinyOptCheckpoint({ seed: 6, doLayerNormBefore: false, wordEmbedProjDim: 24, prefix: 'decoder.' }),
);

describe('OPT checkpoint loading', () => {
  it('accepts model.decoder. and decoder. prefixes with the same result', async () => {
    const out: number[][] = [];
    for (const prefix of ['model.decoder.', 'decoder.']) {
      const engine = new Engine(new ReferenceBackend());
      const lm = await loadFiles(engine, tinyOptCheckpoint({ seed: 8, prefix, lmHead: true }));
      expect(lm).toBeInstanceOf(OptModel);
      expect(lm.config.padTokenId).toBe(1);
      const t = engine.tidy(() => lm.step({ inputIds: engine.tensor(Int32Array.from([7, 8, 9]), [1, 3], 'int32') }).logits);
      out.push(Array.from(await engine.read(t)));
      lm.dispose();
    }
    expect(out[0]).toEqual(out[1]);
  });

  it('reports a missing projection and a wrong position table in one line', async () => {
    const engine = new Engine(new ReferenceBackend());
    const base = tinyOptCheckpoint({ wordEmbedProjDim: 24 });
    const missing = editCheckpoint(base, (t) => delete t['model.decoder.project_in.weight']);
    await expect(loadFiles(engine, missing)).rejects.toThrow(/^model\.safetensors: no tensor named "model\.decoder\.project_in\.weight"/);
    const shape = editCheckpoint(base, (t) => {
      const w = t['model.decoder.embed_positions.weight']!;
      t['model.decoder.embed_positions.weight'] = { ...w, shape: [64, 32], data: w.data.subarray(0, 64 * 32) };
    });
    await expect(loadFiles(engine, shape)).rejects.toThrow(
      new CaptuneError('model.safetensors: tensor "model.decoder.embed_positions.weight" has shape [64, 32], expected [66, 32] from the model\'s config.json'),
    );
    expect(engine.liveTensors).toBe(0);
  });
});
