/**
 * The set of recorded, not yet run kernel calls, in call order (a topological order), with
 * reference counting that drops records nothing needs any more (see graph-value.ts).
 */
import { CaptuneError, type OutSpec } from '@captune/core';
import { GraphValue, OpRecord } from './graph-value.js';
import type { KernelEmitter } from './kernel-emitters.js';

export class PendingGraph {
  private readonly records = new Set<OpRecord>();

  constructor(
    /** Most records allowed between two runs (a bound on graph size and compile time). */
    readonly maxRecords: number,
  ) {}

  get size(): number {
    return this.records.size;
  }

  /** Records a kernel call; returns its pending outputs. */
  add(emitter: KernelEmitter, inputs: readonly GraphValue[], outs: readonly OutSpec[]): GraphValue[] {
    if (this.records.size >= this.maxRecords) {
      throw new CaptuneError(
        `onnx backend: ${this.records.size} ops recorded since the last run (limit ${this.maxRecords}); read a tensor or call backend.flush() more often, or raise maxPendingOps`,
      );
    }
    const r = new OpRecord(emitter, inputs);
    for (const x of inputs) x.consumers++;
    for (const o of outs) {
      const v = new GraphValue(o.shape, o.dtype);
      v.producer = r;
      r.outputs.push(v);
    }
    this.records.add(r);
    return r.outputs;
  }

  /** Takes every pending record out (to run them), in call order. */
  take(): OpRecord[] {
    const all = [...this.records];
    this.records.clear();
    return all;
  }

  /**
   * Called when `v` may have become unneeded (disposed, or lost a consumer): frees its data,
   * or drops its producer record when no output of it is needed, and so on upstream.
   */
  release(v0: GraphValue): void {
    const stack = [v0];
    while (stack.length > 0) {
      const v = stack.pop()!;
      if (v.needed) continue;
      if (v.tensor) {
        v.tensor = null;
        continue;
      }
      const r = v.producer;
      if (!r || r.needed || !this.records.has(r)) continue;
      this.records.delete(r);
      for (const o of r.outputs) o.producer = null;
      for (const x of r.inputs) {
        x.consumers--;
        stack.push(x);
      }
    }
  }

  clear(): void {
    this.records.clear();
  }
}
