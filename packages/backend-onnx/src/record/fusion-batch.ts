/**
 * The working state of one peephole-fusion pass over a batch of records (fuse-records.ts): the
 * batch as slots in call order, who currently produces each value, and how many input slots of
 * the current records read it. A fusion replaces one record by a new one at that record's slot
 * and removes the records it absorbs; later fusions see the fused records (a linear fused from
 * reshape + matmul + bias + reshape can then be absorbed into a layer norm). Reader counts
 * follow every fusion, so "read once" always means read once by the batch as it now stands.
 * The original records keep their inputs and outputs (the backend's reference counting walks
 * them after the run); the pass keeps its bookkeeping in the scratch fields of the records and
 * values (`fusionSlot`, `fusionProducer`, `fusionReaders`: property reads, no Map lookups — the
 * pass runs on every graph run, a decoding step included), reset for every value of the batch
 * when a pass starts.
 */
import type { KernelEmitter } from './kernel-emitters.js';
import { GraphValue, OpRecord } from './graph-value.js';

export class FusionBatch {
  private readonly slots: (OpRecord | null)[];
  private removedCount = 0;

  constructor(records: readonly OpRecord[]) {
    this.slots = [...records];
    for (const r of records) {
      for (const x of r.inputs) {
        x.fusionProducer = null;
        x.fusionReaders = 0;
      }
      for (const o of r.outputs) o.fusionReaders = 0;
    }
    records.forEach((r, i) => this.enter(r, i));
  }

  /** Slots in call order (a removed record leaves null). */
  get length(): number {
    return this.slots.length;
  }

  /** The current record at slot `i`, or null. */
  at(i: number): OpRecord | null {
    return this.slots[i]!;
  }

  /** The current record of the batch computing `v`, or null (an input of the batch). */
  producer(v: GraphValue): OpRecord | null {
    return v.fusionProducer;
  }

  /** The producer of `v` when its emitter key is `key`. */
  producerWithKey(v: GraphValue, key: string): OpRecord | null {
    const r = v.fusionProducer;
    return r && r.emitter.key === key ? r : null;
  }

  /** The producer of `v` when its emitter key starts with `prefix`. */
  producerWithPrefix(v: GraphValue, prefix: string): OpRecord | null {
    const r = v.fusionProducer;
    return r && r.emitter.key.startsWith(prefix) ? r : null;
  }

  /** How many input slots of the current records read `v`. */
  readers(v: GraphValue): number {
    return v.fusionReaders;
  }

  /** The current records that read `v`, in call order (a scan from its producer that stops at the last reader). */
  readersOf(v: GraphValue): OpRecord[] {
    const out: OpRecord[] = [];
    let left = v.fusionReaders;
    for (let i = v.fusionProducer ? v.fusionProducer.fusionSlot + 1 : 0; left > 0 && i < this.slots.length; i++) {
      const r = this.slots[i];
      if (!r) continue;
      let n = 0;
      for (const x of r.inputs) if (x === v) n++;
      if (n > 0) {
        out.push(r);
        left -= n;
      }
    }
    return out;
  }

  /** `v` may be fused away: produced in this batch, disposed by core, read by one record. */
  dropable(v: GraphValue): boolean {
    return v.disposed && v.fusionReaders === 1 && v.fusionProducer !== null;
  }

  /** `v` is available at `r`'s slot: computed before the batch, or by an earlier record. */
  readyBefore(v: GraphValue, r: OpRecord): boolean {
    const p = v.fusionProducer;
    return p ? p.fusionSlot < r.fusionSlot : v.tensor !== null;
  }

  /** Both are current and `a` comes before `b`. */
  before(a: OpRecord, b: OpRecord): boolean {
    return a.fusionSlot < b.fusionSlot;
  }

  /** `r` is part of the batch as it now stands (not removed or replaced). */
  current(r: OpRecord): boolean {
    return r.fusionSlot >= 0 && this.slots[r.fusionSlot] === r;
  }

  /**
   * Replaces `r` by a record of `emitter` over `inputs` computing `outputs`, at `r`'s slot, and
   * removes `absorbed`. Returns the new record.
   */
  fuse(r: OpRecord, emitter: KernelEmitter, inputs: readonly GraphValue[], outputs: readonly GraphValue[], absorbed: readonly OpRecord[]): OpRecord {
    const i = r.fusionSlot;
    for (const old of [r, ...absorbed]) {
      this.slots[old.fusionSlot] = null;
      this.leave(old);
    }
    this.removedCount += absorbed.length;
    const fused = new OpRecord(emitter, inputs);
    fused.outputs.push(...outputs);
    this.slots[i] = fused;
    this.enter(fused, i);
    return fused;
  }

  /** Records fused away (removed; a replacement does not count). */
  get fusedAway(): number {
    return this.removedCount;
  }

  /** The fused batch, in call order. */
  result(): OpRecord[] {
    return this.slots.filter((r): r is OpRecord => r !== null);
  }

  private enter(r: OpRecord, i: number): void {
    r.fusionSlot = i;
    for (const o of r.outputs) o.fusionProducer = r;
    for (const x of r.inputs) x.fusionReaders++;
  }

  private leave(r: OpRecord): void {
    r.fusionSlot = -1;
    for (const o of r.outputs) if (o.fusionProducer === r) o.fusionProducer = null;
    for (const x of r.inputs) x.fusionReaders--;
  }
}
