/** Sanity of the committed shapes checkpoints (assets/shapes), on the reference backend. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseClipImageProcessorConfig } from '../checkpoint/clip-image-processor-config.js';
import { Engine } from '../engine/engine.js';
import { clipPreprocess } from '../images/clip-preprocess.js';
import { ClipModel } from '../models/clip/clip-model.js';
import { loadLanguageDecoderFolder } from '../models/load-language-decoder-folder.js';
import { Rng } from '../random/rng.js';
import { ReferenceBackend } from '../reference/reference-backend.js';
import { generateScene } from '../shapes/generate-scene.js';
import { captionScene } from '../shapes/scene-captions.js';
import { clipTokenize } from '../tokenizers/clip-tokenize.js';
import type { ClipTokenizer } from '../tokenizers/clip-tokenizer.js';
import { openCheckpoint } from './checkpoint-folder.js';
import { shapesAssetsDir, shapesClipDir, shapesGpt2Dir } from './shapes-assets.js';
import { renderSceneRgb } from './shapes-render.js';
import { loadTokenizer } from './tokenizer-folder.js';

/** Scenes of a seed neither pretraining script used (they use 1007 and 2007). */
const HELD_OUT_SEED = 424242;

describe('committed shapes checkpoints', () => {
  it('live under assets/shapes', () => {
    expect(shapesAssetsDir()).toMatch(/packages[/\\]core[/\\]assets[/\\]shapes$/);
  });

  it('GPT-2: a shapes caption is far more likely than the same words scrambled', async () => {
    const e = new Engine(new ReferenceBackend());
    const lm = await loadLanguageDecoderFolder(e, shapesGpt2Dir());
    const tok = loadTokenizer(shapesGpt2Dir());
    expect([lm.config.vocabSize, tok.vocabSize, lm.config.eosTokenId]).toEqual([50257, 50257, 50256]);
    /** Mean log p per token of [BOS, text, EOS]. */
    const logp = async (text: string) => {
      const ids = [lm.config.bosTokenId, ...tok.encode(text), lm.config.eosTokenId];
      const logits = lm.logits(lm.forward({ inputIds: e.tensor(ids.slice(0, -1), [1, ids.length - 1], 'int32'), useCache: false }).hidden); // [1, T, V]
      const lp = (await e.read(e.logSoftmax(logits))) as Float32Array;
      const V = lm.config.vocabSize;
      let sum = 0;
      for (let t = 1; t < ids.length; t++) sum += lp[(t - 1) * V + ids[t]!]!;
      return sum / (ids.length - 1);
    };
    const rng = new Rng(1);
    for (let i = 0; i < 3; i++) {
      const caption = captionScene(generateScene(HELD_OUT_SEED, i))[0]!;
      const words = caption.split(' ');
      let scrambled = caption;
      while (scrambled === caption) scrambled = rng.shuffle([...words]).join(' ');
      const good = await logp(caption);
      const bad = await logp(scrambled);
      expect(good, caption).toBeGreaterThan(-2); // uniform over the vocabulary: −10.8
      expect(good - bad, `${caption} vs ${scrambled}`).toBeGreaterThan(2);
    }
    lm.dispose();
  });

  it('CLIP: held-out images rank their own caption first among the others', async () => {
    const dir = shapesClipDir();
    const e = new Engine(new ReferenceBackend());
    const source = await openCheckpoint(dir);
    const clip = await ClipModel.load(e, source, JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')), { where: dir });
    await source.close();
    const tok = loadTokenizer(dir) as ClipTokenizer;
    expect(tok.kind).toBe('clip');
    const pre = parseClipImageProcessorConfig(JSON.parse(readFileSync(join(dir, 'preprocessor_config.json'), 'utf8')));
    const S = clip.config.vision.imageSize;
    const scenes = Array.from({ length: 8 }, (_, i) => generateScene(HELD_OUT_SEED, i));
    const pixels = new Float32Array(scenes.length * 3 * S * S);
    for (const [i, s] of scenes.entries()) pixels.set(clipPreprocess(await renderSceneRgb(s, 96), pre), i * 3 * S * S);
    const captions = scenes.map((s) => captionScene(s)[2]!); // the plain caption: objects only
    const img = clip.encodeImages(e.tensor(pixels, [scenes.length, 3, S, S])).embeds;
    const txt = clip.encodeTexts(clipTokenize(tok, captions, { contextLength: clip.config.text.maxPositionEmbeddings })).embeds;
    const logits = (await e.read(clip.logitsPerImage(img, txt))) as Float32Array; // [8, 8]
    let right = 0;
    for (let i = 0; i < scenes.length; i++) {
      const row = Array.from(logits.subarray(i * 8, i * 8 + 8));
      if (row.indexOf(Math.max(...row)) === i) right++;
    }
    expect(right).toBeGreaterThanOrEqual(6);
    clip.dispose();
  });
});
