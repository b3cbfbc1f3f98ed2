/**
 * Trainable copies of checkpoint weights, for pretraining the shapes models with core's own
 * autodiff: every tensor of a `TensorSource` uploaded as a trainable `Variable` named by its
 * Hugging Face name, and the way back — variables to safetensors tensors (F32 or F16) in the
 * exact layout they were read from. The model code itself (ClipVision, ClipText, the GPT-2
 * math) is shared with inference; only the variables' `trainable` flag differs.
 */
import type { TensorToWrite, WritableDtype } from '../checkpoint/safetensors-serialize.js';
import type { TensorSource } from '../checkpoint/tensor-source.js';
import type { Engine } from '../engine/engine.js';
import type { Variable } from '../engine/tensor.js';
import { ClipWeightLoader } from '../models/clip/clip-weights.js';

/** A named set of trainable variables plus the shape each has in the checkpoint file. */
export interface TrainableWeights {
  readonly byName: ReadonlyMap<string, Variable>;
  /** Checkpoint shape per name (a variable may hold a reshaped view, e.g. the patch conv). */
  readonly fileShapes: ReadonlyMap<string, readonly number[]>;
}

/** A `ClipWeightLoader` that uploads trainable variables (ClipVision.load / ClipText.load take it). */
export class TrainableClipWeightLoader extends ClipWeightLoader {
  readonly fileShapes = new Map<string, readonly number[]>();

  constructor(
    private readonly eng: Engine,
    private readonly src: TensorSource,
    where: string,
  ) {
    super(eng, src, where);
  }

  override async load(name: string, shape: readonly number[], as?: readonly number[]): Promise<Variable> {
    this.check(name, shape);
    const t = await this.src.read(name);
    const v = this.eng.variable(this.eng.tensor(t.data, as ?? shape, 'float32'), { trainable: true, name });
    this.loaded.push(v);
    this.fileShapes.set(name, [...shape]);
    return v;
  }

  weights(): TrainableWeights {
    return { byName: new Map(this.loaded.map((v) => [v.name, v])), fileShapes: this.fileShapes };
  }
}

/** Every float tensor of `source` as a trainable variable (names kept; int buffers skipped). */
export async function loadTrainable(engine: Engine, source: TensorSource): Promise<TrainableWeights> {
  const byName = new Map<string, Variable>();
  const fileShapes = new Map<string, readonly number[]>();
  for (const name of source.names()) {
    const t = await source.read(name);
    if (t.dtype !== 'float32') continue;
    byName.set(name, engine.variable(engine.tensor(t.data, t.shape, 'float32'), { trainable: true, name }));
    fileShapes.set(name, t.shape);
  }
  return { byName, fileShapes };
}

/** Reads the variables back as safetensors tensors in their file shapes, stored as `dtype`. */
export async function exportWeights(
  engine: Engine,
  weights: TrainableWeights,
  dtype: WritableDtype = 'F32',
): Promise<Record<string, TensorToWrite>> {
  const out: Record<string, TensorToWrite> = {};
  for (const [name, v] of weights.byName) {
    const data = (await engine.read(v)) as Float32Array;
    out[name] = { dtype, shape: weights.fileShapes.get(name) ?? v.shape, data: Float32Array.from(data) };
  }
  return out;
}
