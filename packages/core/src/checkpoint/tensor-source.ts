/**
 * The lazy tensor source every checkpoint reader exposes (one safetensors file in memory or on
 * disk, or a sharded folder): names and shapes up front, data only when a tensor is read.
 */
import type { SafetensorsDtype, LoadableDtype } from './safetensors-dtype.js';
import { CaptuneError } from '../errors/captune-error.js';

export interface TensorSourceInfo {
  readonly name: string;
  /** dtype as stored in the checkpoint. */
  readonly dtype: SafetensorsDtype;
  readonly shape: readonly number[];
  readonly byteLength: number;
  /** The file holding the tensor (a shard, for sharded checkpoints). */
  readonly file: string;
}

/** A tensor read into host memory, converted to one of captune's dtypes. */
export interface LoadedTensor {
  readonly data: Float32Array | Int32Array;
  readonly shape: readonly number[];
  readonly dtype: 'float32' | 'int32';
  /** dtype the checkpoint stored it in. */
  readonly sourceDtype: LoadableDtype;
}

export interface TensorSource {
  /** Tensor names in file order. */
  names(): string[];
  has(name: string): boolean;
  /** Throws a CaptuneError naming the checkpoint when there is no such tensor. */
  info(name: string): TensorSourceInfo;
  read(name: string): Promise<LoadedTensor>;
  /** The `__metadata__` map (for sharded checkpoints: the index's `metadata`, stringified). */
  readonly metadata: Readonly<Record<string, string>>;
  close(): Promise<void>;
}

/** The error for a tensor name a checkpoint does not have. */
export function missingTensorError(
  where: string,
  name: string,
  names: readonly string[],
): CaptuneError {
  const sample = names
    .slice(0, 3)
    .map((n) => `"${n}"`)
    .join(', ');
  const more = names.length > 3 ? ', …' : '';
  return new CaptuneError(
    `${where}: no tensor named "${name}" (it has ${names.length} tensors: ${sample}${more})`,
  );
}
