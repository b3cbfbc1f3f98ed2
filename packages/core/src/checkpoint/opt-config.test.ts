import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseOptConfig } from './opt-config.js';

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8'));

describe('parseOptConfig', () => {
  it('parses facebook/opt-125m', () => {
    expect(parseOptConfig(fixture('opt-125m-config.json'))).toEqual({
      modelType: 'opt',
      vocabSize: 50272,
      hiddenSize: 768,
      numHiddenLayers: 12,
      ffnDim: 3072,
      numAttentionHeads: 12,
      maxPositionEmbeddings: 2048,
      doLayerNormBefore: true,
      removeFinalLayerNorm: false,
      wordEmbedProjDim: 768,
      activation: 'relu',
      dropout: 0.1,
      attentionDropout: 0,
      enableBias: true,
      layerNormElementwiseAffine: true,
      padTokenId: 1,
      bosTokenId: 2,
      eosTokenId: 2,
      tieWordEmbeddings: true,
    });
  });

  it('defaults word_embed_proj_dim to hidden_size and keeps an explicit projection (opt-350m)', () => {
    expect(parseOptConfig({ hidden_size: 1024, num_attention_heads: 16 }).wordEmbedProjDim).toBe(
      1024,
    );
    const c = parseOptConfig({
      hidden_size: 1024,
      num_attention_heads: 16,
      word_embed_proj_dim: 512,
      do_layer_norm_before: false,
    });
    expect([c.wordEmbedProjDim, c.doLayerNormBefore]).toEqual([512, false]);
  });

  it('names bad keys', () => {
    expect(() => parseOptConfig({ ffn_dim: -3 }, 'opt/config.json')).toThrow(
      'opt/config.json: ffn_dim: expected a positive integer, got -3',
    );
    expect(() => parseOptConfig({ model_type: 'gpt2' })).toThrow(
      'config.json: model_type: expected "opt", got "gpt2"',
    );
  });
});
