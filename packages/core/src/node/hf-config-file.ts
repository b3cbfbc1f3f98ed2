/**
 * Reads Hugging Face JSON config files from disk (`config.json`, `preprocessor_config.json`)
 * and hands them to the browser-safe typed parsers, so every error names the file's path.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { CaptuneError } from '../errors/captune-error.js';
import {
  parseClipImageProcessorConfig,
  type ClipImageProcessorConfig,
} from '../checkpoint/clip-image-processor-config.js';
import { parseHfConfig, type HfModelConfig } from '../checkpoint/hf-model-type.js';

/** Reads and JSON-parses a file; errors are one line naming the path. */
export async function readJsonFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new CaptuneError(`${path}: cannot read: ${reason}`, { cause: error });
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CaptuneError(`${path}: not valid JSON (${(error as Error).message.split('\n')[0]})`, {
      cause: error,
    });
  }
}

async function inFolder(path: string, name: string): Promise<string> {
  const isDir = await stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );
  return isDir ? join(path, name) : path;
}

/** Reads `config.json` from a model folder (or the given file) and parses it by `model_type`. */
export async function readHfConfig(folderOrFile: string): Promise<HfModelConfig> {
  const path = await inFolder(folderOrFile, 'config.json');
  return parseHfConfig(await readJsonFile(path), path);
}

/** Reads `preprocessor_config.json` from a CLIP folder (or the given file). */
export async function readClipImageProcessorConfig(
  folderOrFile: string,
): Promise<ClipImageProcessorConfig> {
  const path = await inFolder(folderOrFile, 'preprocessor_config.json');
  return parseClipImageProcessorConfig(await readJsonFile(path), path);
}
