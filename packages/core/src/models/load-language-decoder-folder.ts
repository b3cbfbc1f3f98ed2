/**
 * Node: loads a language decoder from a Hugging Face model folder (config.json plus
 * model.safetensors or a sharded index), dispatching on config.json's `model_type`.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Engine } from '../engine/engine.js';
import { CaptuneError } from '../errors/captune-error.js';
import { openCheckpoint } from '../node/checkpoint-folder.js';
import type { LanguageDecoder } from './language-decoder.js';
import { languageDecoders, loadLanguageDecoder, type LanguageDecoderRegistry } from './load-language-decoder.js';

export async function loadLanguageDecoderFolder(
  engine: Engine,
  folder: string,
  registry: LanguageDecoderRegistry = languageDecoders,
): Promise<LanguageDecoder> {
  const configFile = join(folder, 'config.json');
  let config: unknown;
  try {
    config = JSON.parse(await readFile(configFile, 'utf8'));
  } catch (error) {
    throw new CaptuneError(`${configFile}: cannot read the model config: ${(error as Error).message.split('\n')[0]}`, { cause: error });
  }
  const weights = await openCheckpoint(folder);
  try {
    return await loadLanguageDecoder(engine, { config, weights, configFile, checkpoint: folder }, registry);
  } finally {
    await weights.close();
  }
}
