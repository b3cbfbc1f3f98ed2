import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseHfConfig, readModelType } from './hf-model-type.js';

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8'));

describe('readModelType / parseHfConfig', () => {
  it.each([
    ['gpt2-config.json', 'gpt2'],
    ['gpt2-legacy-config.json', 'gpt2'],
    ['opt-125m-config.json', 'opt'],
    ['gpt-neo-125m-config.json', 'gpt_neo'],
    ['clip-vit-base-patch32-config.json', 'clip'],
  ])('%s is %s', (file, type) => {
    expect(readModelType(fixture(file))).toBe(type);
    expect(parseHfConfig(fixture(file)).modelType).toBe(type);
  });

  it('infers the type from architectures when model_type is absent', () => {
    expect(readModelType({ architectures: ['Foo', 'OPTForCausalLM'] })).toBe('opt');
    const vision = parseHfConfig({
      architectures: ['CLIPVisionModel'],
      patch_size: 14,
      image_size: 224,
    });
    expect(vision).toMatchObject({
      modelType: 'clip_vision_model',
      patchSize: 14,
      hiddenSize: 768,
    });
  });

  it('parses standalone CLIP towers', () => {
    const text = parseHfConfig({
      model_type: 'clip_text_model',
      hidden_size: 768,
      num_attention_heads: 12,
    });
    expect(text).toMatchObject({ modelType: 'clip_text_model', hiddenSize: 768, vocabSize: 49408 });
  });

  it('names unsupported or unknowable model types', () => {
    expect(() => readModelType({ model_type: 'llama' }, 'm/config.json')).toThrow(
      'm/config.json: model_type "llama" is not supported (captune reads gpt2, opt, gpt_neo, clip, clip_text_model, clip_vision_model)',
    );
    expect(() => readModelType({ hidden_size: 4 }, 'm/config.json')).toThrow(
      'm/config.json: has no model_type and nothing else says which model it is',
    );
    expect(() => readModelType('gpt2')).toThrow('config.json: expected a JSON object');
  });
});
