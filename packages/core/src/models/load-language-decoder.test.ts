import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Engine } from '../engine/engine.js';
import { ReferenceBackend } from '../reference/index.js';
import { Gpt2Model } from './gpt2/gpt2-model.js';
import type { LanguageDecoder } from './language-decoder.js';
import { languageDecoders, LanguageDecoderRegistry, loadLanguageDecoder } from './load-language-decoder.js';
import { loadLanguageDecoderFolder } from './load-language-decoder-folder.js';
import { OptModel } from './opt/opt-model.js';
import { checkpointConfig, checkpointSource } from './testing/checkpoint-files.js';
import { tinyGpt2Checkpoint } from './testing/tiny-gpt2.js';
import { tinyOptCheckpoint } from './testing/tiny-opt.js';
import { writeCheckpointFiles } from './testing/write-checkpoint-files.js';

describe('loadLanguageDecoder', () => {
  it('dispatches on config.json model_type', async () => {
    const e = new Engine(new ReferenceBackend());
    const g = tinyGpt2Checkpoint();
    const o = tinyOptCheckpoint();
    const gpt2 = await loadLanguageDecoder(e, { config: checkpointConfig(g), weights: checkpointSource(g) });
    const opt = await loadLanguageDecoder(e, { config: checkpointConfig(o), weights: checkpointSource(o) });
    expect(gpt2).toBeInstanceOf(Gpt2Model);
    expect(opt).toBeInstanceOf(OptModel);
    expect(gpt2.config).toMatchObject({ modelType: 'gpt2', vocabSize: 300, hiddenSize: 32, numLayers: 2, numHeads: 4, maxPositions: 64, eosTokenId: 299 });
    expect(opt.config).toMatchObject({ modelType: 'opt', bosTokenId: 2, eosTokenId: 2, padTokenId: 1 });
    gpt2.dispose();
    opt.dispose();
    expect(e.liveTensors).toBe(0);
  });

  it('names the unknown model_type and the supported ones', async () => {
    const e = new Engine(new ReferenceBackend());
    const g = tinyGpt2Checkpoint();
    await expect(loadLanguageDecoder(e, { config: { model_type: 'llama' }, weights: checkpointSource(g) })).rejects.toThrow(
      'config.json: model_type "llama" is not a supported language decoder (supported: gpt2, opt; docs/adding-a-language-model.md explains how to add one)',
    );
    await expect(loadLanguageDecoder(e, { config: { n_embd: 4 }, weights: checkpointSource(g) })).rejects.toThrow(
      'config.json: model_type: missing or not a string (supported language decoders: gpt2, opt)',
    );
  });

  it('loads families registered by users, and refuses a second family for a model_type', async () => {
    const e = new Engine(new ReferenceBackend());
    const registry = new LanguageDecoderRegistry([...languageDecoders.modelTypes().map((t) => languageDecoders.get(t)!)]);
    const loaded: string[] = [];
    registry.register({
      modelType: 'my-gpt',
      description: 'GPT-2 weights under another name',
      load: (engine, source) => {
        loaded.push(source.configFile ?? '');
        return Gpt2Model.load(engine, { ...source, config: { ...(source.config as object), model_type: 'gpt2' } });
      },
    });
    expect(registry.modelTypes()).toEqual(['gpt2', 'my-gpt', 'opt']);
    const g = tinyGpt2Checkpoint();
    const lm: LanguageDecoder = await loadLanguageDecoder(
      e,
      { config: { ...(checkpointConfig(g) as object), model_type: 'my-gpt' }, weights: checkpointSource(g) },
      registry,
    );
    expect(loaded).toEqual(['config.json']);
    lm.dispose();
    expect(() => registry.register(registry.get('gpt2')!)).toThrow(/already registered/);
  });

  it('loads a Hugging Face folder from disk', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'captune-lm-'));
    try {
      await writeCheckpointFiles(dir, tinyOptCheckpoint({ seed: 2 }));
      const e = new Engine(new ReferenceBackend());
      const lm = await loadLanguageDecoderFolder(e, dir);
      expect(lm.config.modelType).toBe('opt');
      lm.dispose();
      await expect(loadLanguageDecoderFolder(e, join(dir, 'nope'))).rejects.toThrow(/config\.json: cannot read the model config/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
