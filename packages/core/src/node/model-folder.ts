/**
 * Node: opens a Hugging Face model folder into a ready model and the tokenizer / image
 * preprocessing that go with it, as transformers' `CLIPModel.from_pretrained` +
 * `CLIPProcessor.from_pretrained` and `AutoModelForCausalLM` + `AutoTokenizer` do.
 * Every problem is a one-line CaptuneError naming the folder or the missing file.
 *
 * - CLIP folder: `config.json`, `model.safetensors` (or a sharded index), `preprocessor_config.json`
 *   when the vision tower is wanted, tokenizer files when the text tower is wanted.
 * - Language-model folder: `config.json` and weights; tokenizer files are optional (an OPT folder
 *   saved without them still decodes ids).
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseClipConfig, type ClipConfig } from '../checkpoint/clip-config.js';
import type { ClipImageProcessorConfig } from '../checkpoint/clip-image-processor-config.js';
import type { Engine } from '../engine/engine.js';
import { CaptuneError } from '../errors/captune-error.js';
import { clipPreprocessBatch, type ClipPreprocessOptions } from '../images/clip-preprocess.js';
import type { Image8 } from '../images/image8.js';
import { ClipModel, type ClipTowers } from '../models/clip/clip-model.js';
import type { LanguageDecoder } from '../models/language-decoder.js';
import { loadLanguageDecoderFolder } from '../models/load-language-decoder-folder.js';
import { clipTokenize } from '../tokenizers/clip-tokenize.js';
import { ClipTokenizer } from '../tokenizers/clip-tokenizer.js';
import type { Tokenizer } from '../tokenizers/tokenizer.js';
import { openCheckpoint } from './checkpoint-folder.js';
import { readClipImageProcessorConfig, readJsonFile } from './hf-config-file.js';
import { loadTokenizer, TOKENIZER_FILE_SETS } from './tokenizer-folder.js';

export interface OpenClipFolderOptions {
  /** Which towers to load (only those files are required). @default "both" */
  readonly towers?: ClipTowers;
  /** Center-crop rounding (see ClipPreprocessOptions). @default "torchvision" */
  readonly cropRounding?: ClipPreprocessOptions['cropRounding'];
}

export interface ClipFolder {
  readonly model: ClipModel;
  readonly config: ClipConfig;
  /** The CLIP tokenizer (null when only the vision tower was loaded). */
  readonly tokenizer: ClipTokenizer | null;
  /** `preprocessor_config.json` (null when only the text tower was loaded). */
  readonly imageProcessor: ClipImageProcessorConfig | null;
  /** RGB images → float32 [B, 3, S, S] pixels for `model.encodeImages` (null without the vision tower). */
  readonly preprocess:
    | ((images: readonly Image8[]) => {
        data: Float32Array;
        shape: [number, number, number, number];
      })
    | null;
  /**
   * Texts → id rows for `model.encodeTexts`, as `clip.tokenize` at the model's context length
   * (null without the text tower); too-long texts fail unless `truncate` (cut, last id made eot).
   */
  readonly tokenize: ((texts: readonly string[], options?: { readonly truncate?: boolean }) => number[][]) | null;
  /** Frees the model's weights. */
  dispose(): void;
}

export interface LanguageModelFolder {
  readonly decoder: LanguageDecoder;
  /** The folder's GPT-2-style tokenizer, when it has tokenizer files. */
  readonly tokenizer?: Tokenizer;
  dispose(): void;
}

/** Checks `folder` is a folder holding `config.json`; returns the config's path. */
function requireModelFolder(folder: string, what: string): string {
  if (!existsSync(folder)) throw new CaptuneError(`${folder}: no such ${what} folder`);
  if (!statSync(folder).isDirectory()) {
    throw new CaptuneError(
      `${folder}: not a folder (give the ${what} folder holding config.json and model.safetensors)`,
    );
  }
  const config = join(folder, 'config.json');
  if (!existsSync(config))
    throw new CaptuneError(`${folder}: missing config.json (not a Hugging Face ${what} folder?)`);
  return config;
}

function hasTokenizerFiles(folder: string): boolean {
  const has = (f: string) => existsSync(join(folder, f));
  return (
    (has('vocab.json') && has('merges.txt')) ||
    has('tokenizer.json') ||
    (has('encoder.json') && has('vocab.bpe')) ||
    has('bpe_simple_vocab_16e6.txt.gz')
  );
}

/** Opens a CLIP folder: the requested towers on `engine`, with its tokenizer and preprocessing. */
export async function openClipFolder(
  engine: Engine,
  folder: string,
  options: OpenClipFolderOptions = {},
): Promise<ClipFolder> {
  const towers = options.towers ?? 'both';
  const configFile = requireModelFolder(folder, 'CLIP model');
  const config = parseClipConfig(await readJsonFile(configFile), configFile);
  const wantVision = towers !== 'text';
  const wantText = towers !== 'vision';

  let imageProcessor: ClipImageProcessorConfig | null = null;
  if (wantVision) {
    if (!existsSync(join(folder, 'preprocessor_config.json'))) {
      throw new CaptuneError(
        `${folder}: missing preprocessor_config.json (needed to prepare images for the vision tower)`,
      );
    }
    imageProcessor = await readClipImageProcessorConfig(folder);
  }
  let tokenizer: ClipTokenizer | null = null;
  if (wantText) {
    if (!hasTokenizerFiles(folder)) {
      throw new CaptuneError(
        `${folder}: missing tokenizer files for the text tower (looked for ${TOKENIZER_FILE_SETS.join(', ')})`,
      );
    }
    const t = loadTokenizer(folder, { kind: 'clip' });
    if (!(t instanceof ClipTokenizer))
      throw new CaptuneError(`${folder}: the tokenizer files are not a CLIP tokenizer`);
    if (t.vocabSize > config.text.vocabSize) {
      throw new CaptuneError(
        `${folder}: the tokenizer has ${t.vocabSize} tokens but config.json text_config.vocab_size is ${config.text.vocabSize}`,
      );
    }
    tokenizer = t;
  }

  const weights = await openCheckpoint(folder);
  let model: ClipModel;
  try {
    model = await ClipModel.load(engine, weights, config, { towers, where: folder });
  } finally {
    await weights.close();
  }

  const pre = imageProcessor;
  const cropRounding = options.cropRounding;
  const tok = tokenizer;
  const contextLength = config.text.maxPositionEmbeddings;
  return {
    model,
    config,
    tokenizer,
    imageProcessor,
    preprocess: pre ? (images) => clipPreprocessBatch(images, pre, { cropRounding }) : null,
    tokenize: tok ? (texts, options) => clipTokenize(tok, texts, { contextLength, truncate: options?.truncate ?? false }) : null,
    dispose: () => model.dispose(),
  };
}

/**
 * Opens a causal language model folder (GPT-2, OPT, … by `model_type`) on `engine`, with its
 * tokenizer when the folder has tokenizer files.
 */
export async function openLanguageModelFolder(
  engine: Engine,
  folder: string,
): Promise<LanguageModelFolder> {
  requireModelFolder(folder, 'language model');
  const decoder = await loadLanguageDecoderFolder(engine, folder);
  let tokenizer: Tokenizer | undefined;
  try {
    tokenizer = hasTokenizerFiles(folder) ? loadTokenizer(folder, { kind: 'gpt2' }) : undefined;
    if (tokenizer && tokenizer.vocabSize > decoder.config.vocabSize) {
      throw new CaptuneError(
        `${folder}: the tokenizer has ${tokenizer.vocabSize} tokens but the model's vocabulary has ${decoder.config.vocabSize}`,
      );
    }
  } catch (error) {
    decoder.dispose();
    throw error;
  }
  return { decoder, ...(tokenizer ? { tokenizer } : {}), dispose: () => decoder.dispose() };
}
