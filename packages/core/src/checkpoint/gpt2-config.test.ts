import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CaptuneError } from '../errors/captune-error.js';
import { parseGpt2Config } from './gpt2-config.js';

const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')) as Record<
    string,
    unknown
  >;

function problem(json: unknown): string {
  try {
    parseGpt2Config(json, 'gpt2/config.json');
  } catch (error) {
    expect(error).toBeInstanceOf(CaptuneError);
    return (error as Error).message;
  }
  throw new Error('expected the config to be rejected');
}

describe('parseGpt2Config', () => {
  it('parses the Hub gpt2 config.json (no n_inner, no scale_attn_* keys)', () => {
    expect(parseGpt2Config(fixture('gpt2-config.json'))).toEqual({
      modelType: 'gpt2',
      vocabSize: 50257,
      nPositions: 1024,
      nEmbd: 768,
      nLayer: 12,
      nHead: 12,
      nInner: 3072,
      activation: 'gelu_new',
      layerNormEps: 1e-5,
      residPdrop: 0.1,
      embdPdrop: 0.1,
      attnPdrop: 0.1,
      bosTokenId: 50256,
      eosTokenId: 50256,
      tieWordEmbeddings: true,
      scaleAttnWeights: true,
      scaleAttnByInverseLayerIdx: false,
      reorderAndUpcastAttn: false,
    });
  });

  it('parses gpt2-medium', () => {
    const c = parseGpt2Config(fixture('gpt2-medium-config.json'));
    expect([c.nEmbd, c.nLayer, c.nHead, c.nInner]).toEqual([1024, 24, 16, 4096]);
  });

  it('fills every missing key of an old file with the transformers defaults', () => {
    const c = parseGpt2Config(fixture('gpt2-legacy-config.json'));
    expect(c).toMatchObject({
      activation: 'gelu_new',
      bosTokenId: 50256,
      eosTokenId: 50256,
      nInner: 3072,
      tieWordEmbeddings: true,
    });
    expect(parseGpt2Config({})).toEqual(parseGpt2Config(fixture('gpt2-config.json')));
  });

  it('honours explicit n_inner, flags and null n_inner', () => {
    const c = parseGpt2Config({
      n_embd: 64,
      n_head: 4,
      n_inner: 100,
      tie_word_embeddings: false,
      scale_attn_by_inverse_layer_idx: true,
      activation_function: 'gelu',
    });
    expect([c.nInner, c.tieWordEmbeddings, c.scaleAttnByInverseLayerIdx, c.activation]).toEqual([
      100,
      false,
      true,
      'gelu',
    ]);
    expect(parseGpt2Config({ n_embd: 64, n_head: 4, n_inner: null }).nInner).toBe(256);
  });

  it('names the file, key and bad value', () => {
    expect(problem({ n_embd: '768' })).toBe(
      'gpt2/config.json: n_embd: expected a positive integer, got "768"',
    );
    expect(problem({ n_layer: 0 })).toBe(
      'gpt2/config.json: n_layer: expected a positive integer, got 0',
    );
    expect(problem({ n_head: 1.5 })).toBe(
      'gpt2/config.json: n_head: expected a positive integer, got 1.5',
    );
    expect(problem({ resid_pdrop: 2 })).toBe(
      'gpt2/config.json: resid_pdrop: expected a probability in [0, 1], got 2',
    );
    expect(problem({ layer_norm_epsilon: -1 })).toBe(
      'gpt2/config.json: layer_norm_epsilon: expected a positive number, got -1',
    );
    expect(problem({ scale_attn_weights: 'yes' })).toBe(
      'gpt2/config.json: scale_attn_weights: expected true or false, got "yes"',
    );
    expect(problem({ activation_function: 'mish' })).toBe(
      'gpt2/config.json: activation_function: expected an activation name (gelu, gelu_new, gelu_fast, gelu_pytorch_tanh, quick_gelu, relu, silu, swish, tanh), got "mish"',
    );
    expect(problem({ model_type: 'gpt_neo' })).toBe(
      'gpt2/config.json: model_type: expected "gpt2", got "gpt_neo"',
    );
    expect(problem({ n_embd: 100, n_head: 12 })).toBe(
      'gpt2/config.json: n_embd (100) must be divisible by n_head (12)',
    );
    expect(problem([1, 2])).toBe('gpt2/config.json: expected a JSON object, got [1,2]');
  });
});
