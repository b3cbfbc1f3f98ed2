import { describe, expect, it } from 'vitest';
import { CaptuneError } from '../errors/captune-error.js';
import { CaptuneConfigSchema } from './captune-config.js';
import { closest } from './config-issues.js';
import {
  applyConfigOverrides,
  ConfigError,
  formatConfig,
  loadConfigText,
  parseConfigText,
} from './load-config.js';

function errorOf(fn: () => unknown): ConfigError | CaptuneError {
  try {
    fn();
  } catch (e) {
    if (e instanceof CaptuneError) return e;
    throw e;
  }
  throw new Error('expected an error');
}

/** `--set` overrides applied to an empty config, as JSON text. */
function applyConfigOverridesText(sets: string[]): string {
  return JSON.stringify(applyConfigOverrides({}, sets));
}

describe('captune config', () => {
  it('fills every default from an empty config', () => {
    const c = CaptuneConfigSchema.parse({});
    expect(c.method).toBe('ituning');
    expect(c.ituning.bottleneck).toBe(384);
    expect(c.training).toMatchObject({
      epochs: 10,
      batchSize: 32,
      gradAccumulation: 1,
      gradClip: 1,
      checkpointEvery: 500,
      seed: 0,
    });
    expect(c.training.optimizer.lr).toBe(1e-4);
    expect(c.training.schedule.type).toBe('constant');
    expect(c.decoding).toMatchObject({ search: 'beam', numBeams: 5, maxNewTokens: 20 });
    expect(c.compute).toEqual({ backend: 'tfjs', device: 'auto' });
    expect(c.data.splits).toEqual({ train: 'train', val: 'val', test: 'test' });
  });

  it('reads YAML and JSON', () => {
    const y = loadConfigText(
      'method: clipcap\ntraining:\n  epochs: 3\n  optimizer: { lr: 0.002 }\n',
      'run.yaml',
    );
    expect(y.method).toBe('clipcap');
    expect(y.training.epochs).toBe(3);
    expect(y.training.optimizer).toMatchObject({ lr: 0.002, beta1: 0.9 });
    const j = loadConfigText('{"training": {"batchSize": 8}}', 'run.json');
    expect(j.training.batchSize).toBe(8);
  });

  it('names the key path and what it expects for a wrong type', () => {
    const e = errorOf(() => loadConfigText('training:\n  batchSize: "32"\n', 'run.yaml'));
    expect(e).toBeInstanceOf(ConfigError);
    expect(e.message).toBe('run.yaml: training.batchSize: expected a positive integer, got "32"');
    expect(
      errorOf(() => loadConfigText('{"training": {"schedule": {"minLrRatio": 2}}}', 'c.json'))
        .message,
    ).toBe('c.json: training.schedule.minLrRatio: expected a number in [0, 1], got 2');
    expect(errorOf(() => loadConfigText('method: recapp', 'c.yaml')).message).toBe(
      'c.yaml: method: expected one of "ituning", "clipcap", got "recapp"',
    );
    expect(errorOf(() => loadConfigText('training: {gradClip: -1}', 'c.yaml')).message).toBe(
      'c.yaml: training.gradClip: expected a positive number or null, got -1',
    );
  });

  it('rejects unknown keys at any depth with a suggestion', () => {
    expect(errorOf(() => loadConfigText('training:\n  batchsize: 32\n', 'run.yaml')).message).toBe(
      'run.yaml: unknown key training.batchsize (did you mean batchSize?)',
    );
    expect(errorOf(() => loadConfigText('ituning: {bottlenek: 8}', 'r.yaml')).message).toBe(
      'r.yaml: unknown key ituning.bottlenek (did you mean bottleneck?)',
    );
    const e = errorOf(() =>
      loadConfigText('zzz: 1\ntraining: {epochs: 0}', 'r.yaml'),
    ) as ConfigError;
    expect(e.issues).toHaveLength(2);
    expect(e.message).toContain('unknown key zzz (known keys: models, method');
    expect(e.message).toContain('training.epochs: expected a positive integer, got 0');
  });

  it('applies --set overrides as typed values, and refuses unknown override keys', () => {
    const raw = parseConfigText('training: {epochs: 5}', 'r.yaml');
    const o = applyConfigOverrides(raw, [
      'training.epochs=3',
      'training.optimizer.lr=1e-3',
      'compute.backend=reference',
      'training.schedule={type: cosine, warmupSteps: 2}',
      'data.dataset=/x/y.jsonl',
    ]);
    const c = loadConfigText(JSON.stringify(o), 'r.json');
    expect(c.training.epochs).toBe(3);
    expect(c.training.optimizer.lr).toBe(0.001);
    expect(c.compute.backend).toBe('reference');
    expect(c.training.schedule).toMatchObject({ type: 'cosine', warmupSteps: 2 });
    expect(c.data.dataset).toBe('/x/y.jsonl');
    expect(raw).toEqual({ training: { epochs: 5 } });
    expect(errorOf(() => applyConfigOverrides({}, ['training.epoch=3'])).message).toBe(
      '--set training.epoch=3: unknown key training.epoch (did you mean epochs?)',
    );
    expect(errorOf(() => applyConfigOverrides({}, ['epochs'])).message).toContain(
      'expected key.path=value',
    );
    expect(errorOf(() => loadConfigText('{}', 'r.json', ['training.batchSize=big'])).message).toBe(
      'r.json: training.batchSize: expected a positive integer, got "big"',
    );
  });

  it('reports bad syntax and non-object files on one line', () => {
    expect(errorOf(() => parseConfigText('{"a": ', 'x.json')).message).toMatch(
      /^x\.json: not valid JSON: /,
    );
    expect(errorOf(() => parseConfigText('a: [1, 2', 'x.yaml')).message).toMatch(
      /^x\.yaml: not valid YAML: /,
    );
    expect(errorOf(() => parseConfigText('- 1\n- 2', 'x.yaml')).message).toBe(
      'x.yaml: the config must be an object (key: value pairs), got a list',
    );
    expect(parseConfigText('', 'empty.yaml')).toEqual({});
  });

  it('prints the resolved config as JSON or YAML that loads back to itself', () => {
    const c = loadConfigText('method: clipcap', 'r.yaml');
    const json = formatConfig(c, 'json');
    const yaml = formatConfig(c, 'yaml');
    expect(loadConfigText(json, 'p.json')).toEqual(c);
    expect(loadConfigText(yaml, 'p.yaml')).toEqual(c);
    expect(yaml).toContain('method: clipcap');
  });

  it('takes the loss softmax: full by default, sampled with its negatives, errors by path', () => {
    expect(CaptuneConfigSchema.parse({}).training.softmax).toEqual({
      type: 'full',
      negatives: 1024,
    });
    const c = loadConfigText(
      applyConfigOverridesText(['training.softmax.type=sampled', 'training.softmax.negatives=256']),
      'r.json',
    );
    expect(c.training.softmax).toEqual({ type: 'sampled', negatives: 256 });
    expect(
      errorOf(() => loadConfigText('training: {softmax: {type: sample}}', 'c.yaml')).message,
    ).toBe('c.yaml: training.softmax.type: expected one of "full", "sampled", got "sample"');
    expect(
      errorOf(() => loadConfigText('training: {softmax: {negative: 5}}', 'c.yaml')).message,
    ).toBe('c.yaml: unknown key training.softmax.negative (did you mean negatives?)');
  });

  it('suggests the closest key', () => {
    expect(closest('BATCHSIZE', ['batchSize', 'epochs'])).toBe('batchSize');
    expect(closest('epocs', ['batchSize', 'epochs'])).toBe('epochs');
    expect(closest('frobnicate', ['batchSize', 'epochs'])).toBeNull();
  });
});
