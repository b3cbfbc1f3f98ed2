import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseGptNeoConfig } from './gpt-neo-config.js';

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8'));

describe('parseGptNeoConfig', () => {
  it('parses EleutherAI/gpt-neo-125M and expands attention_types per layer', () => {
    const c = parseGptNeoConfig(fixture('gpt-neo-125m-config.json'));
    expect(c).toMatchObject({
      modelType: 'gpt_neo',
      vocabSize: 50257,
      hiddenSize: 768,
      numLayers: 12,
      numHeads: 12,
      intermediateSize: 3072,
      windowSize: 256,
      activation: 'gelu_new',
      layerNormEps: 1e-5,
      maxPositionEmbeddings: 2048,
    });
    expect(c.attentionLayers).toEqual(
      Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? 'global' : 'local')),
    );
  });

  it('uses the transformers defaults (gpt-neo-1.3B shape) when keys are missing', () => {
    const c = parseGptNeoConfig({});
    expect([c.hiddenSize, c.numLayers, c.numHeads, c.attentionLayers.length]).toEqual([
      2048, 24, 16, 24,
    ]);
  });

  it('rejects attention_types that do not match num_layers, or malformed ones', () => {
    expect(() =>
      parseGptNeoConfig({ num_layers: 12, attention_types: [[['global'], 6]] }, 'neo/config.json'),
    ).toThrow('neo/config.json: attention_types: expands to 6 layers but num_layers is 12');
    expect(() =>
      parseGptNeoConfig({ attention_types: [[['sparse'], 24]] }, 'neo/config.json'),
    ).toThrow(
      'neo/config.json: attention_types[0][0][0]: expected "global" or "local", got "sparse"',
    );
  });
});
