/**
 * The working state of one peephole-fusion pass over a batch of records (fuse-records.ts): the
 * batch as slots in call order, who currently produces each value, and how many input slots of
 * the current records read it. A fusion replaces one record by a new one at that record's slot
 * and removes the records it absorbs; later fusions see the fused records (a linear fused from
 * reshape + matmul + bias + reshape can then be absorbed into a layer norm). Reader counts
 * follow every fusion, so "read once" always means read once by the batch as it now stands.
 * The original records are never modified (the backend's reference counting walks them after
 * the run).
 */
import type { KernelEmitter } from './kernel-emitters.js';
import { GraphValue, OpRecord } from './graph-value.js';

export class FusionBatch {
  private readonly slots: (OpRecord | null)[];
  private readonly positions = new Map<OpRecord, number>();
  private readonly producers = new Map<GraphValue, OpRecord>();
  private readonly uses = new Map<GraphValue, number>();
  private removedCount = 0;

  constructor(records: readonly OpRecord[]) {
    this.slots = [...records];
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
    return this.producers.get(v) ?? null;
  }

  /** The producer of `v` when its emitter key passes `test`. */
  producerKeyed(v: GraphValue, test: (key: string) => boolean): OpRecord | null {
    const r = this.producer(v);
    return r && test(r.emitter.key) ? r : null;
  }

  /** How many input slots of the current records read `v`. */
  readers(v: GraphValue): number {
    return this.uses.get(v) ?? 0;
  }

  /** The current records that read `v`, in call order. */
  readersOf(v: GraphValue): OpRecord[] {
    return this.slots.filter((r): r is OpRecord => r !== null && r.inputs.includes(v));
  }

  /** `v` may be fused away: produced in this batch, disposed by core, read by one record. */
  dropable(v: GraphValue): boolean {
    return v.disposed && this.readers(v) === 1 && this.producers.has(v);
  }

  /** `v` is available at `r`'s slot: computed before the batch, or by an earlier record. */
  readyBefore(v: GraphValue, r: OpRecord): boolean {
    const p = this.producers.get(v);
    return p ? this.positions.get(p)! < this.positions.get(r)! : v.tensor !== null;
  }

  /** Both are current and `a` comes before `b`. */
  before(a: OpRecord, b: OpRecord): boolean {
    return this.positions.get(a)! < this.positions.get(b)!;
  }

  /** `r` is part of the batch as it now stands (not removed or replaced). */
  current(r: OpRecord): boolean {
    return this.positions.has(r);
  }

  /**
   * Replaces `r` by a record of `emitter` over `inputs` computing `outputs`, at `r`'s slot, and
   * removes `absorbed`. Returns the new record.
   */
  fuse(r: OpRecord, emitter: KernelEmitter, inputs: readonly GraphValue[], outputs: readonly GraphValue[], absorbed: readonly OpRecord[]): OpRecord {
    const i = this.positions.get(r)!;
    for (const old of [r, ...absorbed]) {
      const j = this.positions.get(old)!;
      this.leave(old);
      this.slots[j] = null;
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
    this.positions.set(r, i);
    for (const o of r.outputs) this.producers.set(o, r);
    for (const x of r.inputs) this.uses.set(x, (this.uses.get(x) ?? 0) + 1);
  }

  private leave(r: OpRecord): void {
    this.positions.delete(r);
    for (const o of r.outputs) if (this.producers.get(o) === r) this.producers.delete(o);
    for (const x of r.inputs) this.uses.set(x, this.uses.get(x)! - 1);
  }
}
