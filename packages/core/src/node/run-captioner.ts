/**
 * A trained captioner from disk: the frozen LM folder and tokenizer, plus an adapter file
 * (`adapter.safetensors` of a checkpoint, whose metadata names the method, its config and the
 * feature shapes), rebuilt through the method table. Also resolves what a user points at —
 * a run folder, a checkpoint folder or a config file — to a config and a checkpoint.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { CaptionAdapter } from '../adapters/caption-adapter.js';
import type { CaptuneConfig } from '../config/captune-config.js';
import { loadConfigText, resolveConfigPaths } from '../config/load-config.js';
import type { Engine } from '../engine/engine.js';
import { CaptuneError } from '../errors/captune-error.js';
import type { LanguageDecoder } from '../models/language-decoder.js';
import { adapterMethod, type AdapterMethod } from '../pipelines/adapter-methods.js';
import type { Tokenizer } from '../tokenizers/tokenizer.js';
import { openLanguageModelFolder } from './model-folder.js';
import {
  ADAPTER_FILE,
  isCompleteCheckpoint,
  latestCheckpoint,
  loadAdapterWeights,
  pointedCheckpoint,
  readAdapterMeta,
  type AdapterMeta,
} from './training-checkpoint.js';

export interface TrainedCaptioner {
  readonly decoder: LanguageDecoder;
  readonly tokenizer: Tokenizer;
  readonly adapter: CaptionAdapter;
  readonly method: AdapterMethod;
  readonly meta: AdapterMeta;
  dispose(): void;
}

/** Opens the LM folder (must have tokenizer files) and the adapter file on `engine`. */
export async function openTrainedCaptioner(
  engine: Engine,
  options: { lm: string; adapterFile: string },
): Promise<TrainedCaptioner> {
  const meta = await readAdapterMeta(options.adapterFile);
  const method = adapterMethod(meta.method);
  const lm = await openLanguageModelFolder(engine, options.lm);
  try {
    if (!lm.tokenizer)
      throw new CaptuneError(
        `${options.lm}: the language model folder has no tokenizer files (captions cannot be decoded to text)`,
      );
    const adapter = method.create(engine, lm.decoder.config, meta, meta.config, 0);
    try {
      await loadAdapterWeights(options.adapterFile, adapter);
    } catch (error) {
      adapter.dispose();
      throw error;
    }
    const tokenizer = lm.tokenizer;
    return {
      decoder: lm.decoder,
      tokenizer,
      adapter,
      method,
      meta,
      dispose: () => (adapter.dispose(), lm.dispose()),
    };
  } catch (error) {
    lm.dispose();
    throw error;
  }
}

/** Reads a config file, applies overrides, and resolves relative paths against the file's folder. */
export function readConfigFile(path: string, overrides: readonly string[] = []): CaptuneConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CaptuneError(
      `${path}: cannot read the config: ${code === 'ENOENT' ? 'no such file' : (error as Error).message.split('\n')[0]}`,
    );
  }
  const base = dirname(resolve(path));
  return resolveConfigPaths(loadConfigText(text, path, overrides), (p) => resolve(base, p));
}

export interface ResolvedModel {
  readonly config: CaptuneConfig;
  /** The checkpoint folder whose adapter is used. */
  readonly checkpoint: string;
}

/**
 * What `--model` / `--checkpoint` name: a config file (its run folder's best, else latest,
 * checkpoint), a run folder (its saved `config.json`), or a checkpoint folder inside a run folder.
 */
export async function resolveTrainedModel(
  target: string,
  overrides: readonly string[] = [],
): Promise<ResolvedModel> {
  if (!existsSync(target))
    throw new CaptuneError(
      `${target}: no such file or folder (give a config file, a run folder or a checkpoint folder)`,
    );
  if (statSync(target).isFile()) {
    const config = readConfigFile(target, overrides);
    return { config, checkpoint: await runCheckpoint(config.training.runDir) };
  }
  if (await isCompleteCheckpoint(resolve(target))) {
    const runDir = dirname(resolve(target));
    return { config: runConfig(runDir, overrides), checkpoint: resolve(target) };
  }
  const runDir = resolve(target);
  return { config: runConfig(runDir, overrides), checkpoint: await runCheckpoint(runDir) };
}

function runConfig(runDir: string, overrides: readonly string[]): CaptuneConfig {
  const file = join(runDir, 'config.json');
  if (!existsSync(file))
    throw new CaptuneError(`${runDir}: not a run folder (no config.json written by captune train)`);
  return readConfigFile(file, overrides);
}

/** The best checkpoint of a run folder, else the latest; a CaptuneError when there is none. */
export async function runCheckpoint(runDir: string): Promise<string> {
  const dir = (await pointedCheckpoint(runDir, 'best')) ?? (await latestCheckpoint(runDir));
  if (!dir)
    throw new CaptuneError(
      `${runDir}: no complete checkpoint (train first: captune train --config FILE)`,
    );
  if (!existsSync(join(dir, ADAPTER_FILE))) throw new CaptuneError(`${dir}: no ${ADAPTER_FILE}`);
  return dir;
}
