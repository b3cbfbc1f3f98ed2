/**
 * Dispatch on a Hugging Face `config.json`'s `model_type` to the matching typed parser. Files
 * without `model_type` (very old uploads) are recognised by `architectures`, and a bare GPT-2
 * file by its `n_embd` / `n_layer` keys — the same inference transformers' `AutoConfig` makes
 * from the model name.
 */
import { CaptuneError } from '../errors/captune-error.js';
import {
  parseClipConfig,
  parseClipTextConfig,
  parseClipVisionConfig,
  type ClipConfig,
  type ClipTextConfig,
  type ClipVisionConfig,
} from './clip-config.js';
import { parseGpt2Config, type Gpt2Config } from './gpt2-config.js';
import { parseGptNeoConfig, type GptNeoConfig } from './gpt-neo-config.js';
import { parseOptConfig, type OptConfig } from './opt-config.js';

export const HF_MODEL_TYPES = [
  'gpt2',
  'opt',
  'gpt_neo',
  'clip',
  'clip_text_model',
  'clip_vision_model',
] as const;
export type HfModelType = (typeof HF_MODEL_TYPES)[number];

export type HfModelConfig =
  | Gpt2Config
  | OptConfig
  | GptNeoConfig
  | ClipConfig
  | ({ readonly modelType: 'clip_text_model' } & ClipTextConfig)
  | ({ readonly modelType: 'clip_vision_model' } & ClipVisionConfig);

const ARCHITECTURES: Record<string, HfModelType> = {
  GPT2LMHeadModel: 'gpt2',
  GPT2Model: 'gpt2',
  OPTForCausalLM: 'opt',
  OPTModel: 'opt',
  GPTNeoForCausalLM: 'gpt_neo',
  GPTNeoModel: 'gpt_neo',
  CLIPModel: 'clip',
  CLIPTextModel: 'clip_text_model',
  CLIPTextModelWithProjection: 'clip_text_model',
  CLIPVisionModel: 'clip_vision_model',
  CLIPVisionModelWithProjection: 'clip_vision_model',
};

function isHfModelType(value: string): value is HfModelType {
  return (HF_MODEL_TYPES as readonly string[]).includes(value);
}

/** The model family a config describes; throws a CaptuneError naming the file if unsupported. */
export function readModelType(json: unknown, file = 'config.json'): HfModelType {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new CaptuneError(`${file}: expected a JSON object`);
  }
  const c = json as Record<string, unknown>;
  const supported = HF_MODEL_TYPES.join(', ');
  if (c.model_type !== undefined) {
    if (typeof c.model_type === 'string' && isHfModelType(c.model_type)) return c.model_type;
    throw new CaptuneError(
      `${file}: model_type ${JSON.stringify(c.model_type)} is not supported (captune reads ${supported})`,
    );
  }
  if (Array.isArray(c.architectures)) {
    for (const arch of c.architectures) {
      const type = typeof arch === 'string' ? ARCHITECTURES[arch] : undefined;
      if (type) return type;
    }
  }
  if ('n_embd' in c && 'n_layer' in c) return 'gpt2';
  throw new CaptuneError(
    `${file}: has no model_type and nothing else says which model it is (captune reads ${supported})`,
  );
}

/** Parses any supported config, dispatching on `readModelType`. */
export function parseHfConfig(json: unknown, file = 'config.json'): HfModelConfig {
  const type = readModelType(json, file);
  switch (type) {
    case 'gpt2':
      return parseGpt2Config(json, file);
    case 'opt':
      return parseOptConfig(json, file);
    case 'gpt_neo':
      return parseGptNeoConfig(json, file);
    case 'clip':
      return parseClipConfig(json, file);
    case 'clip_text_model':
      return { modelType: type, ...parseClipTextConfig(json, file) };
    case 'clip_vision_model':
      return { modelType: type, ...parseClipVisionConfig(json, file) };
  }
}
