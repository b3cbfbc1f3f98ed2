/**
 * The recording backend's handles. A `GraphValue` is either materialised (an ORT tensor, e.g. an
 * upload, a weight, or a result of an earlier run) or pending (an output of an `OpRecord` not run
 * yet). Pending records are reference counted: a record stays while one of its outputs is held
 * by core (not disposed) or consumed by another pending record, so disposed intermediate values
 * that nothing needs are dropped from the graph before it is ever compiled.
 */
import type { DType } from '@captune/core';
import type { OrtTensor } from '../ort-runtime.js';
import type { KernelEmitter } from './kernel-emitters.js';

let nextValueId = 1;

export class GraphValue {
  readonly id = nextValueId++;
  /** The data, once materialised. */
  tensor: OrtTensor | null = null;
  /** The record that computes this value, while pending. */
  producer: OpRecord | null = null;
  /** Set when core disposes the handle. */
  disposed = false;
  /** Pending records that take this value as an input. */
  consumers = 0;
  /** Frozen weights (core's `markFrozen`): read again and again, never changed. */
  frozen = false;
  /** Cached sessions that hold this value as a constant (released when it is disposed). */
  constantIn: Set<string> | null = null;
  /** Scratch of the fusion pass over the batch that reads or computes it (fusion-batch.ts): its current producer. */
  fusionProducer: OpRecord | null = null;
  /** Scratch of the fusion pass: input slots of the batch's current records that read it. */
  fusionReaders = 0;

  constructor(
    readonly shape: readonly number[],
    readonly dtype: DType,
  ) {}

  /** Still needed by core or by a pending record. */
  get needed(): boolean {
    return !this.disposed || this.consumers > 0;
  }
}

let nextRecordId = 1;

/** One kernel call, waiting to be compiled into a graph. */
export class OpRecord {
  readonly id = nextRecordId++;
  readonly outputs: GraphValue[] = [];
  /** Scratch of the fusion pass (fusion-batch.ts): the record's slot in the batch, -1 when not part of it. */
  fusionSlot = -1;

  constructor(
    readonly emitter: KernelEmitter,
    readonly inputs: readonly GraphValue[],
  ) {}

  /** Whether some output is still needed. */
  get needed(): boolean {
    return this.outputs.some((o) => o.needed);
  }
}
