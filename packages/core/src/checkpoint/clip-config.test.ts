import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseClipConfig, parseClipVisionConfig } from './clip-config.js';
import {
  OPENAI_CLIP_MEAN,
  OPENAI_CLIP_STD,
  parseClipImageProcessorConfig,
} from './clip-image-processor-config.js';

const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')) as Record<
    string,
    unknown
  >;

describe('parseClipConfig', () => {
  it('parses openai/clip-vit-base-patch32', () => {
    expect(parseClipConfig(fixture('clip-vit-base-patch32-config.json'))).toEqual({
      modelType: 'clip',
      projectionDim: 512,
      logitScaleInitValue: 2.6592,
      text: {
        vocabSize: 49408,
        hiddenSize: 512,
        intermediateSize: 2048,
        numHiddenLayers: 12,
        numAttentionHeads: 8,
        maxPositionEmbeddings: 77,
        activation: 'quick_gelu',
        layerNormEps: 1e-5,
        padTokenId: 1,
        bosTokenId: 0,
        eosTokenId: 2,
      },
      vision: {
        hiddenSize: 768,
        intermediateSize: 3072,
        numHiddenLayers: 12,
        numAttentionHeads: 12,
        imageSize: 224,
        patchSize: 32,
        numChannels: 3,
        activation: 'quick_gelu',
        layerNormEps: 1e-5,
      },
    });
  });

  it('lets legacy *_config_dict values (plus defaults) win over stale *_config', () => {
    const c = parseClipConfig(fixture('clip-vit-base-patch16-legacy-config.json'));
    expect(c.vision.patchSize).toBe(16);
    expect(c.vision.hiddenSize).toBe(768);
    expect(c.text).toMatchObject({
      hiddenSize: 512,
      numAttentionHeads: 8,
      bosTokenId: 49406,
      eosTokenId: 49407,
    });
  });

  it('defaults everything for an empty config and accepts null sub-configs', () => {
    const c = parseClipConfig({ text_config: null });
    expect(c.vision).toEqual(parseClipVisionConfig({}));
    expect(c.text.maxPositionEmbeddings).toBe(77);
  });

  it('names the nested key path in errors', () => {
    expect(() =>
      parseClipConfig({ vision_config: { patch_size: '32' } }, 'clip/config.json'),
    ).toThrow('clip/config.json: vision_config.patch_size: expected a positive integer, got "32"');
    expect(() =>
      parseClipConfig({ vision_config_dict: { image_size: 225 } }, 'clip/config.json'),
    ).toThrow(
      'clip/config.json: vision_config_dict.image_size (225) must be divisible by vision_config_dict.patch_size (32)',
    );
    expect(() => parseClipConfig({ text_config: { hidden_act: 'swiglu' } })).toThrow(
      /^config\.json: text_config\.hidden_act: expected an activation name \(.*\), got "swiglu"$/,
    );
    expect(() => parseClipConfig({ text_config: 5 })).toThrow(
      'config.json: text_config: expected an object, got 5',
    );
    expect(() => parseClipConfig({ model_type: 'siglip' })).toThrow(
      'config.json: model_type: expected "clip", got "siglip"',
    );
  });
});

describe('parseClipImageProcessorConfig', () => {
  const expected = {
    doResize: true,
    size: { shortestEdge: 224 },
    resample: 'bicubic',
    doCenterCrop: true,
    cropSize: { height: 224, width: 224 },
    doRescale: true,
    rescaleFactor: 1 / 255,
    doNormalize: true,
    imageMean: [...OPENAI_CLIP_MEAN],
    imageStd: [...OPENAI_CLIP_STD],
    doConvertRgb: true,
  };

  it('parses the current CLIPImageProcessor file and the legacy CLIPFeatureExtractor file alike', () => {
    expect(parseClipImageProcessorConfig(fixture('clip-preprocessor-config.json'))).toEqual(
      expected,
    );
    expect(parseClipImageProcessorConfig(fixture('clip-preprocessor-legacy-config.json'))).toEqual(
      expected,
    );
    expect(parseClipImageProcessorConfig({})).toEqual(expected);
  });

  it('reads explicit sizes, resampling and a scalar mean', () => {
    const c = parseClipImageProcessorConfig({
      size: { height: 336, width: 300 },
      crop_size: 336,
      resample: 2,
      image_mean: 0.5,
      image_std: 0.5,
    });
    expect(c.size).toEqual({ height: 336, width: 300 });
    expect(c.cropSize).toEqual({ height: 336, width: 336 });
    expect(c.resample).toBe('bilinear');
    expect(c.imageMean).toEqual([0.5, 0.5, 0.5]);
  });

  it('names the file and key of bad values', () => {
    const f = 'clip/preprocessor_config.json';
    expect(() => parseClipImageProcessorConfig({ size: 'big' }, f)).toThrow(
      `${f}: size: expected a positive integer, {"shortest_edge": n} or {"height": h, "width": w}, got "big"`,
    );
    expect(() => parseClipImageProcessorConfig({ resample: 9 }, f)).toThrow(
      `${f}: resample: expected a PIL resampling code 0-5 (3 = bicubic), got 9`,
    );
    expect(() => parseClipImageProcessorConfig({ image_std: [0.2, 0, 0.3] }, f)).toThrow(
      `${f}: image_std: expected positive numbers, got [0.2,0,0.3]`,
    );
    expect(() => parseClipImageProcessorConfig({ image_mean: [0.5, 0.5] }, f)).toThrow(
      `${f}: image_mean has 2 channels but image_std has 3`,
    );
  });
});
