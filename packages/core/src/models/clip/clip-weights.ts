/**
 * Uploads CLIP tensors from a `TensorSource` as frozen (non-trainable) variables, checking each
 * against the shape the config implies. Names follow huggingface/transformers
 * `models/clip/modeling_clip.py` (`CLIPModel` state dict); errors are one line naming the tensor.
 */
import type { TensorSource } from '../../checkpoint/tensor-source.js';
import type { Engine } from '../../engine/engine.js';
import type { Variable } from '../../engine/tensor.js';
import { CaptuneError } from '../../errors/captune-error.js';
import { fmt } from '../../tensor/shape.js';

/** Reads named tensors with an expected shape; names every variable it made so they can be freed. */
export class ClipWeightLoader {
  readonly loaded: Variable[] = [];

  constructor(
    private readonly engine: Engine,
    private readonly source: TensorSource,
    /** Names the checkpoint in errors (a folder or file). */
    private readonly where: string,
  ) {}

  /** Checks presence and shape without reading data. */
  check(name: string, shape: readonly number[]): void {
    if (!this.source.has(name)) {
      throw new CaptuneError(
        `${this.where}: missing tensor "${name}" (expected shape ${fmt(shape)})`,
      );
    }
    const info = this.source.info(name);
    const same = info.shape.length === shape.length && info.shape.every((d, i) => d === shape[i]);
    if (!same) {
      throw new CaptuneError(
        `${this.where}: tensor "${name}" has shape ${fmt(info.shape)}, expected ${fmt(shape)} from config.json`,
      );
    }
  }

  /**
   * Reads `name` (stored with shape `shape`) and uploads it as a frozen float32 variable,
   * optionally viewed with `as` (same element count, row-major).
   */
  async load(name: string, shape: readonly number[], as?: readonly number[]): Promise<Variable> {
    this.check(name, shape);
    const t = await this.source.read(name);
    if (t.dtype !== 'float32') {
      throw new CaptuneError(
        `${this.where}: tensor "${name}" is ${t.sourceDtype}, expected a floating-point tensor`,
      );
    }
    const v = this.engine.variable(this.engine.tensor(t.data, as ?? shape, 'float32'), {
      trainable: false,
      name,
    });
    this.loaded.push(v);
    return v;
  }

  /** Frees everything loaded so far (used when a later tensor fails). */
  disposeAll(): void {
    this.engine.dispose(this.loaded);
    this.loaded.length = 0;
  }
}
