/**
 * A LinearMap as safetensors tensors and metadata, and back: `W` F32 [d_in, d_out], optional
 * `mean_x`, `std_x` [d_in] and `bias` [d_out]; metadata `{format: "captune-linear-map",
 * kind, method, alpha?}`. Browser-safe; node/linear-map-file.ts writes and reads files.
 */
import { z } from 'zod';
import type { TensorToWrite } from '../checkpoint/safetensors-serialize.js';
import { CaptuneError } from '../errors/captune-error.js';
import { FIT_METHODS, type LinearMap } from './linear-map.js';

export const LINEAR_MAP_FORMAT = 'captune-linear-map';

const metadataSchema = z.object({
  format: z.literal(LINEAR_MAP_FORMAT),
  kind: z.string().min(1),
  method: z.enum(FIT_METHODS),
  alpha: z.string().regex(/^[0-9.eE+-]+$/).optional(),
});

export function linearMapTensors(map: LinearMap): { tensors: Record<string, TensorToWrite>; metadata: Record<string, string> } {
  const tensors: Record<string, TensorToWrite> = {
    W: { dtype: 'F32', shape: [map.dIn, map.dOut], data: Float32Array.from(map.weight) },
  };
  if (map.meanX) tensors.mean_x = { dtype: 'F32', shape: [map.dIn], data: Float32Array.from(map.meanX) };
  if (map.stdX) tensors.std_x = { dtype: 'F32', shape: [map.dIn], data: Float32Array.from(map.stdX) };
  if (map.bias) tensors.bias = { dtype: 'F32', shape: [map.dOut], data: Float32Array.from(map.bias) };
  const metadata: Record<string, string> = { format: LINEAR_MAP_FORMAT, kind: map.kind, method: map.method };
  if (map.alpha !== undefined) metadata.alpha = String(map.alpha);
  return { tensors, metadata };
}

export interface LoadedMapTensor {
  readonly data: Float32Array | Int32Array;
  readonly shape: readonly number[];
}

/** Rebuilds a map from its metadata and a tensor getter; errors name `file`. */
export async function linearMapFromTensors(
  file: string,
  metadata: Readonly<Record<string, string>>,
  has: (name: string) => boolean,
  read: (name: string) => Promise<LoadedMapTensor>,
): Promise<LinearMap> {
  const meta = metadataSchema.safeParse(metadata);
  if (!meta.success) {
    const issue = meta.error.issues[0]!;
    throw new CaptuneError(`${file}: not a captune linear map: metadata field "${issue.path.join('.')}": ${issue.message}`);
  }
  if (!has('W')) throw new CaptuneError(`${file}: no tensor "W"`);
  const w = await read('W');
  if (w.shape.length !== 2 || !(w.data instanceof Float32Array)) throw new CaptuneError(`${file}: tensor "W" must be a float matrix, got shape [${w.shape.join(', ')}]`);
  const [dIn, dOut] = w.shape as [number, number];
  const vector = async (name: string, n: number): Promise<Float64Array | undefined> => {
    if (!has(name)) return undefined;
    const t = await read(name);
    if (t.shape.length !== 1 || t.shape[0] !== n) throw new CaptuneError(`${file}: tensor "${name}" has shape [${t.shape.join(', ')}], expected [${n}]`);
    return Float64Array.from(t.data);
  };
  const meanX = await vector('mean_x', dIn);
  const stdX = await vector('std_x', dIn);
  const bias = await vector('bias', dOut);
  if ((meanX === undefined) !== (stdX === undefined)) throw new CaptuneError(`${file}: has only one of "mean_x" and "std_x"`);
  if (stdX?.some((s) => !(s > 0))) throw new CaptuneError(`${file}: tensor "std_x" has a value that is not positive`);
  const alpha = meta.data.alpha === undefined ? undefined : Number(meta.data.alpha);
  return {
    kind: meta.data.kind,
    method: meta.data.method,
    ...(alpha !== undefined ? { alpha } : {}),
    dIn,
    dOut,
    weight: Float64Array.from(w.data),
    ...(meanX ? { meanX } : {}),
    ...(stdX ? { stdX } : {}),
    ...(bias ? { bias } : {}),
  };
}
