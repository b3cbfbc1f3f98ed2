import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readClipImageProcessorConfig, readHfConfig } from './hf-config-file.js';

const fixture = (name: string) =>
  fileURLToPath(new URL(`../checkpoint/fixtures/${name}`, import.meta.url));

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'captune-hfcfg-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('readHfConfig / readClipImageProcessorConfig', () => {
  it('reads config.json and preprocessor_config.json from a model folder', async () => {
    const clip = join(dir, 'clip');
    await mkdir(clip);
    await copyFile(fixture('clip-vit-base-patch32-config.json'), join(clip, 'config.json'));
    await copyFile(
      fixture('clip-preprocessor-legacy-config.json'),
      join(clip, 'preprocessor_config.json'),
    );
    const config = await readHfConfig(clip);
    expect(config.modelType).toBe('clip');
    expect((await readClipImageProcessorConfig(clip)).cropSize).toEqual({
      height: 224,
      width: 224,
    });
  });

  it('reads a config file given directly, naming its path in errors', async () => {
    const path = join(dir, 'gpt2.json');
    await writeFile(path, JSON.stringify({ model_type: 'gpt2', n_embd: '768' }));
    await expect(readHfConfig(path)).rejects.toThrow(
      `${path}: n_embd: expected a positive integer, got "768"`,
    );
    await writeFile(path, '{"model_type": "gpt2",');
    await expect(readHfConfig(path)).rejects.toThrow(
      new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: not valid JSON \\(`),
    );
    const missing = join(dir, 'empty');
    await mkdir(missing);
    await expect(readHfConfig(missing)).rejects.toThrow(
      `${join(missing, 'config.json')}: cannot read: no such file`,
    );
  });
});
