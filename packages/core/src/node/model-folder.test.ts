import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { Engine } from '../engine/engine.js';
import { ReferenceBackend } from '../reference/index.js';
import { openClipFolder, openLanguageModelFolder } from './model-folder.js';

const testing = join(dirname(fileURLToPath(import.meta.url)), '../models/testing');
const TINY_CLIP = join(testing, 'tiny-clip');
const TINY_GPT2 = join(testing, 'fixtures/tiny-gpt2');
const TINY_OPT = join(testing, 'fixtures/tiny-opt');
const tmp = mkdtempSync(join(tmpdir(), 'captune-model-folder-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A copy of `folder` without `drop`. */
function without(folder: string, ...drop: string[]): string {
  const out = join(tmp, `${drop.join('-')}-${Math.random().toString(36).slice(2)}`);
  cpSync(folder, out, { recursive: true });
  for (const f of drop) rmSync(join(out, f));
  return out;
}

describe('openClipFolder', () => {
  it('both towers: tokenizer at the model context length, preprocessing to the crop size; dispose frees all', async () => {
    const e = new Engine(new ReferenceBackend());
    const before = e.liveTensors;
    const clip = await openClipFolder(e, TINY_CLIP);
    expect(clip.model.vision).not.toBeNull();
    expect(clip.model.text).not.toBeNull();
    const [row] = clip.tokenize!(['a photo of a red circle']);
    expect(row).toHaveLength(77);
    expect(row!.slice(0, 8)).toEqual([550, ...row!.slice(1, 7), 551]);
    const img = {
      width: 40,
      height: 64,
      channels: 3 as const,
      data: new Uint8Array(40 * 64 * 3).fill(128),
    };
    expect(clip.preprocess!([img, img]).shape).toEqual([2, 3, 32, 32]);
    clip.dispose();
    expect(e.liveTensors).toBe(before);
  });

  it('loads only the towers asked for, and needs only their files', async () => {
    const e = new Engine(new ReferenceBackend());
    const vision = await openClipFolder(e, without(TINY_CLIP, 'vocab.json', 'merges.txt'), {
      towers: 'vision',
    });
    expect(vision.model.text).toBeNull();
    expect(vision.tokenizer).toBeNull();
    expect(vision.tokenize).toBeNull();
    vision.dispose();
    const text = await openClipFolder(e, without(TINY_CLIP, 'preprocessor_config.json'), {
      towers: 'text',
    });
    expect(text.model.vision).toBeNull();
    expect(text.preprocess).toBeNull();
    text.dispose();
    expect(e.liveTensors).toBe(0);
  });

  it('one-line errors name the folder and the missing file', async () => {
    const e = new Engine(new ReferenceBackend());
    const missing = join(tmp, 'nope');
    await expect(openClipFolder(e, missing)).rejects.toThrow(
      `${missing}: no such CLIP model folder`,
    );
    const noConfig = without(TINY_CLIP, 'config.json');
    await expect(openClipFolder(e, noConfig)).rejects.toThrow(`${noConfig}: missing config.json`);
    const noPre = without(TINY_CLIP, 'preprocessor_config.json');
    await expect(openClipFolder(e, noPre)).rejects.toThrow(
      `${noPre}: missing preprocessor_config.json`,
    );
    const noTok = without(TINY_CLIP, 'merges.txt');
    await expect(openClipFolder(e, noTok, { towers: 'text' })).rejects.toThrow(
      `${noTok}: missing tokenizer files for the text tower`,
    );
    const noWeights = without(TINY_CLIP, 'model.safetensors');
    await expect(openClipFolder(e, noWeights)).rejects.toThrow(`${noWeights}: no checkpoint found`);
    await expect(openClipFolder(e, TINY_GPT2)).rejects.toThrow(/config\.json/);
    expect(e.liveTensors).toBe(0);
  });
});

describe('openLanguageModelFolder', () => {
  it('GPT-2 with its tokenizer; OPT without tokenizer files', async () => {
    const e = new Engine(new ReferenceBackend());
    const gpt2 = await openLanguageModelFolder(e, TINY_GPT2);
    expect(gpt2.decoder.config.modelType).toBe('gpt2');
    expect(gpt2.tokenizer?.encode('the cat')).toEqual([83, 258, 269, 265]);
    gpt2.dispose();
    const opt = await openLanguageModelFolder(e, TINY_OPT);
    expect(opt.decoder.config.modelType).toBe('opt');
    expect(opt.tokenizer).toBeUndefined();
    opt.dispose();
    expect(e.liveTensors).toBe(0);
  });

  it('one-line errors name the folder', async () => {
    const e = new Engine(new ReferenceBackend());
    const missing = join(tmp, 'none');
    await expect(openLanguageModelFolder(e, missing)).rejects.toThrow(
      `${missing}: no such language model folder`,
    );
    const noConfig = without(TINY_GPT2, 'config.json');
    await expect(openLanguageModelFolder(e, noConfig)).rejects.toThrow(
      `${noConfig}: missing config.json`,
    );
    await expect(openLanguageModelFolder(e, TINY_CLIP)).rejects.toThrow(
      /model_type "clip" is not a supported language decoder/,
    );
  });
});
