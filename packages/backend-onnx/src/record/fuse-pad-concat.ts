/**
 * A sum of zero paddings that tile a shape along one axis, as one Concat of the unpadded parts.
 * Core's autodiff builds exactly that for the gradient of slices of one value (engine
 * shape-ops.ts: a slice's backward pads its gradient to the full shape, and the contributions
 * are added): GPT-2's q, k and v slices of the fused [B, T, 3C] projection come back as
 * pad(dq) + pad(dk) + pad(dv). As a Concat that is one pass writing [B, T, 3C] once, instead of a
 * full-size Pad per part and a full-size Add per pair (~65 ms of an I-Tuning train step on
 * GPT-2 124M at batch 32 × 20).
 */
import type { FusionBatch } from './fusion-batch.js';
import type { GraphValue, OpRecord } from './graph-value.js';
import { concatEmitter } from './kernel-emitters.js';

const PAD = /^pad:([\d,]+):0:float32\/(\d+)$/;
const ADD = /^binary:add:float32\/(\d+);float32\/\1$/;

interface Part {
  readonly record: OpRecord;
  readonly axis: number;
  readonly begin: number;
  readonly end: number;
}

/** The pad producing `v` (fused away with the sum) when it pads exactly one axis with zeros. */
function padPart(batch: FusionBatch, v: GraphValue): Part | null {
  const p = batch.producer(v);
  const m = p ? PAD.exec(p.emitter.key) : null;
  if (!p || !m || !batch.dropable(v)) return null;
  const pads = m[1]!.split(',').map(Number);
  const rank = Number(m[2]);
  const axes = Array.from({ length: rank }, (_, i) => i).filter((i) => pads[i] !== 0 || pads[rank + i] !== 0);
  if (axes.length !== 1) return null;
  const axis = axes[0]!;
  return { record: p, axis, begin: pads[axis]!, end: v.shape[axis]! - pads[rank + axis]! };
}

/** Collects the pads under `v` through adds of equal shapes fused away with it; false when anything else is summed. */
function collect(batch: FusionBatch, v: GraphValue, parts: Part[], adds: OpRecord[]): boolean {
  const part = padPart(batch, v);
  if (part) {
    parts.push(part);
    return true;
  }
  const add = batch.producer(v);
  if (!add || !ADD.test(add.emitter.key) || !batch.dropable(v)) return false;
  if (add.inputs.some((x) => x.shape.length !== v.shape.length || x.shape.some((d, i) => d !== v.shape[i]))) return false;
  adds.push(add);
  return add.inputs.every((x) => collect(batch, x, parts, adds));
}

/** `r` an add of two same-shaped values: when it sums zero paddings tiling one axis exactly, one Concat at its place. */
export function fusePadConcat(batch: FusionBatch, r: OpRecord): void {
  if (!ADD.test(r.emitter.key)) return;
  const out = r.outputs[0]!;
  if (r.inputs.some((x) => x.shape.length !== out.shape.length || x.shape.some((d, i) => d !== out.shape[i]))) return;
  const parts: Part[] = [];
  const adds: OpRecord[] = [];
  if (!r.inputs.every((x) => collect(batch, x, parts, adds))) return;
  const axis = parts[0]!.axis;
  if (parts.some((p) => p.axis !== axis)) return;
  parts.sort((a, b) => a.begin - b.begin);
  let at = 0;
  for (const p of parts) {
    if (p.begin !== at || p.end <= p.begin) return;
    at = p.end;
  }
  if (at !== out.shape[axis]) return;
  const xs = parts.map((p) => p.record.inputs[0]!);
  batch.fuse(r, concatEmitter(xs, axis), xs, r.outputs, [...adds, ...parts.map((p) => p.record)]);
}
