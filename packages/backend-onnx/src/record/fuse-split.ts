/**
 * Slices of one value that tile it along one axis — GPT-2's q, k and v out of the fused
 * [B, T, 3C] projection (core models/gpt2/gpt2-model.ts) — as one ONNX Split: one node and
 * one pass over the input instead of one Slice (and one pass) per part.
 */
import { attr, type GraphBuilder } from '../graph/graph-builder.js';
import type { KernelEmitter } from './kernel-emitters.js';
import type { GraphValue, OpRecord } from './graph-value.js';
import type { FusionBatch } from './fusion-batch.js';

const SLICE = /^slice:([\d,]*):([\d,]*):float32\/(\d+)$/;

/** x split along `axis` into parts of `sizes` (which sum to x's extent there). */
export function splitEmitter(axis: number, sizes: readonly number[]): KernelEmitter {
  return {
    key: `split:${axis}:${sizes.join(',')}`,
    emit: (g: GraphBuilder, [x]) => g.nodeN('Split', [x!, g.int64s(sizes)], [attr.int('axis', axis)], { outputs: sizes.length }),
  };
}

interface Cut {
  readonly axis: number;
  readonly begin: number;
  readonly end: number;
}

/** Parsed slices by key and input shape (the same few come back at every decoding step). */
const cuts = new Map<string, Cut | null>();

/** The axis a slice of `x` cuts (every other axis whole) and its [begin, end) there, or null. */
function cut(x: GraphValue, r: OpRecord): Cut | null {
  if (r.inputs[0] !== x) return null;
  const key = r.emitter.key;
  const memo = `${key}|${x.shape.join(',')}`;
  let c = cuts.get(memo);
  if (c === undefined) {
    const m = SLICE.exec(key);
    const begin = m ? m[1]!.split(',').map(Number) : [];
    const size = m ? m[2]!.split(',').map(Number) : [];
    // The key holds the output's full extents: an axis is whole when it starts at 0 and spans the input.
    const partial = x.shape.map((_, i) => i).filter((i) => begin[i] !== 0 || size[i] !== x.shape[i]);
    c = m && partial.length === 1 ? { axis: partial[0]!, begin: begin[partial[0]!]!, end: begin[partial[0]!]! + size[partial[0]!]! } : null;
    if (cuts.size > 4096) cuts.clear();
    cuts.set(memo, c);
  }
  return c;
}

/**
 * `r` the first slice (in call order) of its input x: when x's slices along that axis tile it
 * exactly (no gap, no overlap) and there are at least two, they become one Split at `r`'s
 * place, whose outputs are the slices' values in axis order.
 */
export function fuseSplit(batch: FusionBatch, r: OpRecord): void {
  if (!r.emitter.key.startsWith('slice:')) return;
  const x = r.inputs[0]!;
  const first = cut(x, r);
  if (!first) return;
  const parts: { record: OpRecord; begin: number; end: number }[] = [];
  for (const s of batch.readersOf(x)) {
    const c = cut(x, s);
    if (c && c.axis === first.axis) parts.push({ record: s, begin: c.begin, end: c.end });
  }
  if (parts.length < 2 || parts[0]!.record !== r) return;
  parts.sort((a, b) => a.begin - b.begin);
  let at = 0;
  for (const p of parts) {
    if (p.begin !== at || p.end <= p.begin) return;
    at = p.end;
  }
  if (at !== x.shape[first.axis]) return;
  const emitter = splitEmitter(first.axis, parts.map((p) => p.end - p.begin));
  batch.fuse(r, emitter, [x], parts.map((p) => p.record.outputs[0]!), parts.filter((p) => p.record !== r).map((p) => p.record));
}
