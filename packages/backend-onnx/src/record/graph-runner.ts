/**
 * Compiles a batch of pending records into one ONNX graph and runs it on ONNX Runtime.
 *
 * Graph inputs are the materialised values the records read (uploads, KV caches, optimizer
 * state: ORT tensors fed as they are, never re-serialised); weights read again and again are
 * constants instead (constant-policy.ts: initializers over our own bytes, pre-packed by ORT
 * once per session); graph outputs are the produced values core still holds. Sessions are
 * cached by a structural signature (graph-plan.ts: each record's op, attributes and constants,
 * input dtypes and ranks, how records are wired, which values are outputs, which weights are
 * constants) and compiled with symbolic dimensions, so a model step, a decoding step (whatever
 * its KV cache length) or a training step is compiled once and re-run with new input values.
 * A session holding constants is released when one of them is disposed, and the bytes its
 * pre-packed weights take are bounded (`maxConstantBytes`, least recently used evicted).
 */
import { CaptuneError } from '@captune/core';
import { encodeOnnxModel } from '../proto/onnx-model.js';
import type { Ort, OrtSession, OrtTensor } from '../ort-runtime.js';
import { ConstantPolicy } from './constant-policy.js';
import {
  buildModel,
  planGraph,
  sameStructure,
  structureKey,
  type ExternalBytes,
  type GraphPlan,
  type GraphStructure,
} from './graph-plan.js';
import type { GraphValue, OpRecord } from './graph-value.js';

export interface RunnerStats {
  /** Sessions created (graphs compiled). */
  compiles: number;
  /** Graph runs. */
  runs: number;
  /** Runs that reused a cached session. */
  cacheHits: number;
  /** Cache hits that recorded the same graph as the run before (found without building the key). */
  replays: number;
  /** Records (kernel calls) in the last graph run. */
  lastRecords: number;
  /** Milliseconds spent creating sessions. */
  compileMs: number;
  /** Milliseconds spent inside ORT's `session.run`. */
  runMs: number;
  /** Constants (pre-packed weights) in the last graph run. */
  lastConstants: number;
  /** ONNX nodes the backend emitted into the last run's graph (before ORT's optimiser). */
  lastNodes: number;
}

interface CachedSession {
  readonly key: string;
  readonly session: OrtSession;
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  /** ONNX nodes in the compiled graph. */
  readonly nodes: number;
  /** The values held as constants, and their bytes (kept alive while ORT may read them). */
  readonly constants: readonly GraphValue[];
  readonly external: readonly ExternalBytes[];
  readonly constantBytes: number;
}

export interface GraphRunnerOptions {
  readonly ort: Ort;
  /** ORT execution providers, e.g. ['cpu']. */
  readonly executionProviders: readonly string[];
  /** Sessions kept (least recently used evicted). */
  readonly maxSessions: number;
  /** Bytes of constants all cached sessions may hold (each pre-packs its own copy). */
  readonly maxConstantBytes: number;
  readonly constants: ConstantPolicy;
  /** Worker threads spin between the ops of a run (stopping when it ends) instead of sleeping. */
  readonly threadSpinning: boolean;
  /** ORT's CPU memory arena (`enableCpuMemArena`). */
  readonly memoryArena: boolean;
  /** ORT's memory-pattern planning (`enableMemPattern`). */
  readonly memoryPattern: boolean;
}

export class GraphRunner {
  readonly stats: RunnerStats = { compiles: 0, runs: 0, cacheHits: 0, replays: 0, lastRecords: 0, compileMs: 0, runMs: 0, lastConstants: 0, lastNodes: 0 };
  private readonly sessions = new Map<string, CachedSession>();
  /** Sessions dropped while a run may be using them; released before the next run. */
  private retired: CachedSession[] = [];
  private constantBytes = 0;
  /** The structure and session of the last run: a step that repeats it skips the key and the lookup. */
  private last: { readonly structure: GraphStructure; readonly entry: CachedSession } | null = null;
  private readonly isConstant: (v: GraphValue) => boolean;

  constructor(private readonly options: GraphRunnerOptions) {
    this.isConstant = (v) => options.constants.isConstant(v);
  }

  /** Runs `records` (a closed, topologically ordered batch); materialises the needed outputs. */
  async run(records: readonly OpRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.releaseRetired();
    const plan = planGraph(records, this.isConstant);
    const entry = await this.session(records, plan);
    this.last = { structure: plan.structure, entry };
    const feeds: Record<string, OrtTensor> = {};
    plan.inputs.forEach((v, i) => (feeds[entry.inputNames[i]!] = v.tensor!));
    let results: Record<string, OrtTensor>;
    const t0 = performance.now();
    try {
      results = (await entry.session.run(feeds, [...entry.outputNames])) as Record<string, OrtTensor>;
    } catch (e) {
      throw new CaptuneError(`onnx backend: running a graph of ${records.length} ops failed: ${e instanceof Error ? e.message : String(e)}`);
    }
    this.stats.runMs += performance.now() - t0;
    this.stats.runs++;
    this.stats.lastRecords = records.length;
    this.stats.lastConstants = plan.constants.length;
    this.stats.lastNodes = entry.nodes;
    plan.outputs.forEach((v, i) => (v.tensor = results[entry.outputNames[i]!]!));
  }

  /** The session of `plan`: the last run's when the structure repeats, else cached by key, else compiled. */
  private async session(records: readonly OpRecord[], plan: GraphPlan): Promise<CachedSession> {
    const last = this.last;
    if (last && this.sessions.get(last.entry.key) === last.entry && sameStructure(plan.structure, last.structure)) {
      this.stats.cacheHits++;
      this.stats.replays++;
      return last.entry; // already the most recently used
    }
    const key = structureKey(plan.structure);
    const entry = this.sessions.get(key);
    if (entry) {
      this.sessions.delete(key); // refresh LRU position
      this.stats.cacheHits++;
      this.sessions.set(key, entry);
      return entry;
    }
    const compiled = await this.compile(records, plan, key);
    this.cache(compiled);
    return compiled;
  }

  /** `v` is gone (disposed): sessions holding it as a constant can never run again. */
  forget(v: GraphValue): void {
    if (!v.constantIn) return;
    for (const key of [...v.constantIn]) {
      const entry = this.sessions.get(key);
      if (entry) this.drop(entry);
    }
    v.constantIn = null;
  }

  private async compile(records: readonly OpRecord[], plan: GraphPlan, key: string): Promise<CachedSession> {
    const { model, external, outputNames } = buildModel(records, plan);
    const bytes = encodeOnnxModel(model);
    const t0 = performance.now();
    let session: OrtSession;
    try {
      session = await this.options.ort.InferenceSession.create(bytes, {
        executionProviders: [...this.options.executionProviders],
        graphOptimizationLevel: 'all',
        logSeverityLevel: 3,
        enableCpuMemArena: this.options.memoryArena,
        enableMemPattern: this.options.memoryPattern,
        // Constants: ORT reads their bytes from our buffers (no copy into the model).
        ...(external.length > 0 ? { externalData: external.map((x) => ({ path: x.path, data: x.data })) } : {}),
        // Many sessions live at once (one per graph signature): spinning worker threads of
        // idle sessions would starve the running one. With `threadSpinning` they spin only
        // while a run is in flight (`force_spinning_stop`): no wake-up per parallel op.
        extra: {
          // ORT's own fusion of add + layer norm into SkipLayerNormalization, off on the CPU EP:
          // its CPU kernel (ORT 1.30) takes 2.5–4× as long as Add + LayerNormalization at every
          // size measured, [1, 1, 768] to [16, 197, 768] (README, "No SkipLayerNormalization").
          // GPU EPs keep ORT's default (not measured here). The separator is ';'.
          ...(this.options.executionProviders.every((ep) => ep === 'cpu')
            ? { optimization: { disable_specified_optimizers: 'SkipLayerNormFusion;BiasSkipLayerNormFusion' } }
            : {}),
          session: {
            intra_op: { allow_spinning: this.options.threadSpinning ? '1' : '0' },
            inter_op: { allow_spinning: '0' },
            ...(this.options.threadSpinning ? { force_spinning_stop: '1' } : {}),
          },
        },
      });
    } catch (e) {
      throw new CaptuneError(`onnx backend: compiling a graph of ${records.length} ops failed: ${e instanceof Error ? e.message : String(e)}`);
    }
    this.stats.compiles++;
    this.stats.compileMs += performance.now() - t0;
    return {
      key,
      session,
      inputNames: plan.inputs.map((_, i) => `in${i}`),
      outputNames,
      nodes: model.graph.nodes.length,
      constants: plan.constants,
      external,
      constantBytes: external.reduce((s, x) => s + x.data.byteLength, 0),
    };
  }

  /** Adds a new session (most recently used), then evicts beyond the limits. */
  private cache(entry: CachedSession): void {
    if (entry.constants.some((v) => v.disposed)) {
      this.retired.push(entry); // a constant was disposed while compiling: run once, never cache
      return;
    }
    this.sessions.set(entry.key, entry);
    this.constantBytes += entry.constantBytes;
    for (const v of entry.constants) (v.constantIn ??= new Set()).add(entry.key);
    for (const oldest of this.sessions.values()) {
      const over = this.sessions.size > this.options.maxSessions || this.constantBytes > this.options.maxConstantBytes;
      if (!over || oldest === entry) break;
      this.drop(oldest);
    }
  }

  private drop(entry: CachedSession): void {
    if (this.sessions.get(entry.key) !== entry) return;
    this.sessions.delete(entry.key);
    this.constantBytes -= entry.constantBytes;
    for (const v of entry.constants) v.constantIn?.delete(entry.key);
    this.retired.push(entry);
  }

  private async releaseRetired(): Promise<void> {
    const old = this.retired;
    this.retired = [];
    for (const s of old) await s.session.release();
  }

  /** Number of cached sessions. */
  get cachedSessions(): number {
    return this.sessions.size;
  }

  /** Bytes of constants held by cached sessions. */
  get cachedConstantBytes(): number {
    return this.constantBytes;
  }

  async close(): Promise<void> {
    for (const s of [...this.sessions.values()]) this.drop(s);
    await this.releaseRetired();
  }
}
