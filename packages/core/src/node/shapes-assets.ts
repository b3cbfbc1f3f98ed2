/**
 * Node: where the committed shapes-world checkpoints live (packages/core/assets/shapes/, with
 * `clip/` and `gpt2/` Hugging Face model folders; see the README there for how they were made).
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Absolute path of packages/core/assets/shapes. */
export function shapesAssetsDir(): string {
  return join(dirname(fileURLToPath(import.meta.url)), '../../assets/shapes');
}

/** The tiny CLIP folder (CLIPModel: config.json, model.safetensors, tokenizer and preprocessor files). */
export function shapesClipDir(): string {
  return join(shapesAssetsDir(), 'clip');
}

/** The tiny GPT-2 folder (GPT2LMHeadModel: config.json, model.safetensors, vocab.json, merges.txt). */
export function shapesGpt2Dir(): string {
  return join(shapesAssetsDir(), 'gpt2');
}
