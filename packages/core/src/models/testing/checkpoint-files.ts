/**
 * A model folder as in-memory files (`config.json`, `model.safetensors`, tokenizer files), the
 * shape the tiny checkpoint generators return so tests can load them without touching disk, and
 * the GPT-2 byte-level BPE vocabulary files (`vocab.json`, `merges.txt`) for a vocabulary that is
 * a prefix of the real one: 256 byte tokens, the first merges (GPT-2 gives merge r the id
 * 256 + r), then `<|endoftext|>`.
 */
import { SafetensorsBuffer } from '../../checkpoint/safetensors-buffer.js';
import { serializeSafetensors, type TensorToWrite, type WritableDtype } from '../../checkpoint/safetensors-serialize.js';
import type { TensorSource } from '../../checkpoint/tensor-source.js';
import { bytesToUnicodeValuesInDictOrder } from '../../tokenizers/bytes-to-unicode.js';
import type { Rng } from '../../random/rng.js';

/** File name → contents. */
export type CheckpointFiles = Record<string, string | Uint8Array>;

/** Random init of one tensor: normal(mean, std). */
export interface Init {
  readonly std: number;
  readonly mean?: number;
}

/** Draws `shape` from `init` and stores it as `dtype`. */
export function randomTensor(rng: Rng, shape: readonly number[], init: Init, dtype: WritableDtype): TensorToWrite {
  const n = shape.reduce((a, b) => a * b, 1);
  return { dtype, shape, data: rng.normalArray(n, init.std, init.mean ?? 0) };
}

/** The weights of a generated checkpoint as a `TensorSource`. */
export function checkpointSource(files: CheckpointFiles, name = 'model.safetensors'): TensorSource {
  const bytes = files[name];
  if (!(bytes instanceof Uint8Array)) throw new Error(`checkpoint files have no ${name}`);
  return new SafetensorsBuffer(bytes, name);
}

/** The parsed config.json of generated files. */
export function checkpointConfig(files: CheckpointFiles): unknown {
  const text = files['config.json'];
  if (typeof text !== 'string') throw new Error('checkpoint files have no config.json');
  return JSON.parse(text);
}

/**
 * `vocab.json` and `merges.txt` for a GPT-2 vocabulary of `merges.length + 257` tokens; `merges`
 * are the first lines of GPT-2's `vocab.bpe` (after `#version`), in order.
 */
export function gpt2TokenizerFiles(merges: readonly (readonly [string, string])[]): CheckpointFiles {
  const tokens = [...bytesToUnicodeValuesInDictOrder(), ...merges.map(([a, b]) => a + b), '<|endoftext|>'];
  const vocab = Object.fromEntries(tokens.map((t, i) => [t, i]));
  return {
    'vocab.json': JSON.stringify(vocab),
    'merges.txt': ['#version: 0.2', ...merges.map(([a, b]) => `${a} ${b}`)].join('\n') + '\n',
  };
}

/**
 * A copy of `files` whose safetensors tensors went through `edit` (delete, reshape, add), for
 * tests of broken checkpoints. Tensors are rewritten as F32 / I32.
 */
export function editCheckpoint(
  files: CheckpointFiles,
  edit: (tensors: Record<string, TensorToWrite>) => void,
  name = 'model.safetensors',
): CheckpointFiles {
  const source = checkpointSource(files, name) as SafetensorsBuffer;
  const tensors: Record<string, TensorToWrite> = {};
  for (const n of source.names()) {
    const t = source.readTensor(n);
    tensors[n] = { dtype: t.dtype === 'float32' ? 'F32' : 'I32', shape: t.shape, data: t.data };
  }
  edit(tensors);
  return { ...files, [name]: serializeSafetensors(tensors) };
}
