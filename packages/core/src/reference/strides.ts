/**
 * Index helpers of the reference backend: row-major strides, broadcast strides (0 on
 * broadcast axes, as NumPy's `as_strided` view of a broadcast array), and one loop that
 * walks every position of a shape while tracking offsets into several strided inputs.
 */
import { stridesOf, type Shape } from '../tensor/shape.js';

/**
 * Strides of an input of shape `inShape` seen as broadcast to `outShape` (right-aligned,
 * stride 0 on axes where the input has size 1 or is missing).
 */
export function broadcastStrides(inShape: Shape, outShape: Shape): number[] {
  const own = stridesOf(inShape);
  const lead = outShape.length - inShape.length;
  if (lead < 0)
    throw new Error(`broadcastStrides: rank of ${fmtShape(inShape)} exceeds ${fmtShape(outShape)}`);
  const out = new Array<number>(outShape.length).fill(0);
  for (let i = 0; i < inShape.length; i++) {
    const d = inShape[i]!;
    const o = outShape[lead + i]!;
    if (d !== o && d !== 1) {
      throw new Error(
        `broadcastStrides: ${fmtShape(inShape)} does not broadcast to ${fmtShape(outShape)}`,
      );
    }
    out[lead + i] = d === 1 ? 0 : own[i]!;
  }
  return out;
}

/**
 * Calls `fn(i, offsets)` for every position of `shape` in row-major order, where `i` is the
 * flat position and `offsets[k]` the matching offset into input k, whose per-axis strides
 * are `strides[k]` (same length as `shape`) starting from `bases[k]` (default 0).
 * `offsets` is reused between calls: read it, don't keep it.
 */
export function forEachPosition(
  shape: Shape,
  strides: readonly (readonly number[])[],
  fn: (i: number, offsets: readonly number[]) => void,
  bases?: readonly number[],
): void {
  const rank = shape.length;
  let size = 1;
  for (const d of shape) size *= d;
  if (size === 0) return;
  const coords = new Array<number>(rank).fill(0);
  const offsets = strides.map((_, k) => bases?.[k] ?? 0);
  for (let i = 0; i < size; i++) {
    fn(i, offsets);
    // Increment the multi-index like an odometer, updating every input's offset.
    for (let d = rank - 1; d >= 0; d--) {
      coords[d]!++;
      for (let k = 0; k < strides.length; k++) offsets[k]! += strides[k]![d]!;
      if (coords[d]! < shape[d]!) break;
      for (let k = 0; k < strides.length; k++) offsets[k]! -= strides[k]![d]! * shape[d]!;
      coords[d] = 0;
    }
  }
}

/** Coordinates of flat position `i` in `shape` (row-major). */
export function unravel(i: number, shape: Shape): number[] {
  const coords = new Array<number>(shape.length);
  let rest = i;
  for (let d = shape.length - 1; d >= 0; d--) {
    const n = shape[d]!;
    coords[d] = n === 0 ? 0 : rest % n;
    rest = n === 0 ? 0 : Math.floor(rest / n);
  }
  return coords;
}

function fmtShape(shape: Shape): string {
  return `[${shape.join(', ')}]`;
}
