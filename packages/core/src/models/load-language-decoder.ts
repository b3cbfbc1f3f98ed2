/**
 * Loads a language decoder by the `model_type` of its config.json, as transformers'
 * `AutoModelForCausalLM` dispatches on `CONFIG_MAPPING`: a registry maps model types to families
 * (GPT-2 and OPT built in); users register more (docs/adding-a-language-model.md).
 * Browser-safe: takes the parsed config and a `TensorSource`; `loadLanguageDecoderFolder`
 * (Node) opens a folder.
 */
import type { TensorSource } from '../checkpoint/tensor-source.js';
import type { Engine } from '../engine/engine.js';
import { CaptuneError } from '../errors/captune-error.js';
import { Gpt2Model } from './gpt2/gpt2-model.js';
import type { LanguageDecoder } from './language-decoder.js';
import { OptModel } from './opt/opt-model.js';

export interface LanguageDecoderSource {
  /** The parsed config.json object. */
  readonly config: unknown;
  readonly weights: TensorSource;
  /** Names the config in errors. @default "config.json" */
  readonly configFile?: string;
  /** Names the checkpoint in errors. @default the weights' file */
  readonly checkpoint?: string;
}

/** A decoder family: the `model_type` it handles and how to build one. */
export interface LanguageDecoderFamily {
  /** config.json `model_type` ("gpt2"). */
  readonly modelType: string;
  /** Shown in listings ("GPT-2 (GPT2LMHeadModel)"). */
  readonly description: string;
  load(engine: Engine, source: LanguageDecoderSource): Promise<LanguageDecoder>;
}

export const gpt2Family: LanguageDecoderFamily = {
  modelType: 'gpt2',
  description: 'GPT-2 (GPT2LMHeadModel)',
  load: (engine, source) => Gpt2Model.load(engine, source),
};

export const optFamily: LanguageDecoderFamily = {
  modelType: 'opt',
  description: 'OPT (OPTForCausalLM)',
  load: (engine, source) => OptModel.load(engine, source),
};

export class LanguageDecoderRegistry {
  private readonly families = new Map<string, LanguageDecoderFamily>();

  constructor(families: readonly LanguageDecoderFamily[] = []) {
    for (const f of families) this.register(f);
  }

  /** Adds a family; a second family for the same model_type is refused unless `replace`. */
  register(family: LanguageDecoderFamily, options: { readonly replace?: boolean } = {}): void {
    if (this.families.has(family.modelType) && !options.replace) {
      throw new CaptuneError(`language decoder family "${family.modelType}" is already registered (pass { replace: true } to override it)`);
    }
    this.families.set(family.modelType, family);
  }

  get(modelType: string): LanguageDecoderFamily | undefined {
    return this.families.get(modelType);
  }

  /** Registered model types, sorted. */
  modelTypes(): string[] {
    return [...this.families.keys()].sort();
  }
}

/** The registry `loadLanguageDecoder` uses unless given another: GPT-2 and OPT. */
export const languageDecoders = new LanguageDecoderRegistry([gpt2Family, optFamily]);

/** Reads config.json's `model_type` and hands the checkpoint to the matching family. */
export async function loadLanguageDecoder(
  engine: Engine,
  source: LanguageDecoderSource,
  registry: LanguageDecoderRegistry = languageDecoders,
): Promise<LanguageDecoder> {
  const file = source.configFile ?? 'config.json';
  const supported = registry.modelTypes().join(', ');
  const config = source.config;
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw new CaptuneError(`${file}: expected a JSON object`);
  }
  const modelType = (config as { model_type?: unknown }).model_type;
  if (typeof modelType !== 'string') {
    throw new CaptuneError(`${file}: model_type: missing or not a string (supported language decoders: ${supported})`);
  }
  const family = registry.get(modelType);
  if (!family) {
    throw new CaptuneError(
      `${file}: model_type "${modelType}" is not a supported language decoder (supported: ${supported}; docs/adding-a-language-model.md explains how to add one)`,
    );
  }
  return family.load(engine, { ...source, configFile: file });
}
