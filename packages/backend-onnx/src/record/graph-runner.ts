/**
 * Compiles a batch of pending records into one ONNX graph and runs it on ONNX Runtime.
 *
 * Graph inputs are the materialised values the records read (weights, uploads, KV caches,
 * optimizer state: ORT tensors fed as they are, never re-serialised); graph outputs are the
 * produced values core still holds. Sessions are cached by a structural signature (each
 * record's op, attributes and constants, input dtypes and ranks, how records are wired, and
 * which values are outputs) and compiled with symbolic dimensions, so a model step, a decoding
 * step (whatever its KV cache length) or a training step is compiled once and re-run with new
 * input values.
 */
import { CaptuneError } from '@captune/core';
import { GraphBuilder } from '../graph/graph-builder.js';
import { encodeOnnxModel, ONNX_IR_VERSION, ONNX_OPSET, type OnnxValueInfo } from '../proto/onnx-model.js';
import type { Ort, OrtSession, OrtTensor } from '../ort-runtime.js';
import { elemType } from './kernel-emitters.js';
import type { GraphValue, OpRecord } from './graph-value.js';

export interface RunnerStats {
  /** Sessions created (graphs compiled). */
  compiles: number;
  /** Graph runs. */
  runs: number;
  /** Runs that reused a cached session. */
  cacheHits: number;
  /** Records (kernel calls) in the last graph run. */
  lastRecords: number;
  /** Milliseconds spent creating sessions. */
  compileMs: number;
}

interface CachedSession {
  readonly session: OrtSession;
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
}

export interface GraphRunnerOptions {
  readonly ort: Ort;
  /** ORT execution providers, e.g. ['cpu']. */
  readonly executionProviders: readonly string[];
  /** Sessions kept (least recently used evicted). */
  readonly maxSessions: number;
}

/** The graph of a batch of records: signature, inputs, outputs. */
interface Plan {
  readonly key: string;
  readonly inputs: GraphValue[];
  readonly outputs: GraphValue[];
}

export class GraphRunner {
  readonly stats: RunnerStats = { compiles: 0, runs: 0, cacheHits: 0, lastRecords: 0, compileMs: 0 };
  private readonly sessions = new Map<string, CachedSession>();

  constructor(private readonly options: GraphRunnerOptions) {}

  /** Runs `records` (a closed, topologically ordered batch); materialises the needed outputs. */
  async run(records: readonly OpRecord[]): Promise<void> {
    if (records.length === 0) return;
    const plan = planGraph(records);
    let entry = this.sessions.get(plan.key);
    if (entry) {
      this.sessions.delete(plan.key); // refresh LRU position
      this.stats.cacheHits++;
    } else {
      entry = await this.compile(records, plan);
    }
    this.sessions.set(plan.key, entry);
    this.evict();
    const feeds: Record<string, OrtTensor> = {};
    plan.inputs.forEach((v, i) => (feeds[entry.inputNames[i]!] = v.tensor!));
    let results: Record<string, OrtTensor>;
    try {
      results = (await entry.session.run(feeds, [...entry.outputNames])) as Record<string, OrtTensor>;
    } catch (e) {
      throw new CaptuneError(`onnx backend: running a graph of ${records.length} ops failed: ${e instanceof Error ? e.message : String(e)}`);
    }
    this.stats.runs++;
    this.stats.lastRecords = records.length;
    plan.outputs.forEach((v, i) => (v.tensor = results[entry.outputNames[i]!]!));
  }

  private async compile(records: readonly OpRecord[], plan: Plan): Promise<CachedSession> {
    const bytes = encodeOnnxModel(buildModel(records, plan));
    const t0 = performance.now();
    let session: OrtSession;
    try {
      session = await this.options.ort.InferenceSession.create(bytes, {
        executionProviders: [...this.options.executionProviders],
        graphOptimizationLevel: 'all',
        logSeverityLevel: 3,
        // Many sessions live at once (one per graph signature): spinning worker threads of
        // idle sessions would starve the running one.
        extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
      });
    } catch (e) {
      throw new CaptuneError(`onnx backend: compiling a graph of ${records.length} ops failed: ${e instanceof Error ? e.message : String(e)}`);
    }
    this.stats.compiles++;
    this.stats.compileMs += performance.now() - t0;
    return {
      session,
      inputNames: plan.inputs.map((_, i) => `in${i}`),
      outputNames: plan.outputs.map((_, i) => `out${i}`),
    };
  }

  private evict(): void {
    while (this.sessions.size > this.options.maxSessions) {
      const [key, oldest] = this.sessions.entries().next().value as [string, CachedSession];
      this.sessions.delete(key);
      void oldest.session.release();
    }
  }

  /** Number of cached sessions. */
  get cachedSessions(): number {
    return this.sessions.size;
  }

  async close(): Promise<void> {
    for (const s of this.sessions.values()) await s.session.release();
    this.sessions.clear();
  }
}

/** Signature, inputs and outputs of a batch. */
function planGraph(records: readonly OpRecord[]): Plan {
  const local = new Map<GraphValue, string>();
  const inputs: GraphValue[] = [];
  const outputs: GraphValue[] = [];
  const parts: string[] = [];
  let produced = 0;
  for (const r of records) {
    const refs = r.inputs.map((x) => {
      let ref = local.get(x);
      if (ref === undefined) {
        if (!x.tensor) throw new Error(`onnx backend (internal): an input of "${r.emitter.key}" is neither computed nor produced in this graph`);
        ref = `i${inputs.length}`;
        inputs.push(x);
        local.set(x, ref);
      }
      return ref;
    });
    for (const o of r.outputs) {
      local.set(o, `v${produced++}`);
      if (!o.disposed) outputs.push(o);
    }
    parts.push(`${r.emitter.key}(${refs.join(',')})`);
  }
  const ins = inputs.map((x) => `${x.dtype}/${x.shape.length}`).join(';');
  const outs = outputs.map((o) => local.get(o)!).join(',');
  return { key: `${parts.join('\n')}\nin:${ins}\nout:${outs}`, inputs, outputs };
}

/** Every dimension symbolic: the session serves any shapes that record the same graph. */
function valueInfo(name: string, v: GraphValue): OnnxValueInfo {
  return { name, elemType: elemType(v.dtype), shape: v.shape.map((_, i) => `${name}_d${i}`) };
}

function buildModel(records: readonly OpRecord[], plan: Plan) {
  const g = new GraphBuilder('t');
  const names = new Map<GraphValue, string>();
  plan.inputs.forEach((v, i) => names.set(v, `in${i}`));
  for (const r of records) {
    const outs = r.emitter.emit(g, r.inputs.map((x) => names.get(x)!));
    r.outputs.forEach((o, i) => names.set(o, outs[i]!));
  }
  plan.outputs.forEach((v, i) => g.nodeTo(`out${i}`, 'Identity', [names.get(v)!]));
  return {
    irVersion: ONNX_IR_VERSION,
    opsetImports: [{ domain: '', version: ONNX_OPSET }],
    producerName: 'captune',
    producerVersion: '0.1.0',
    graph: {
      name: 'captune_recorded',
      nodes: g.nodes,
      inputs: plan.inputs.map((v, i) => valueInfo(`in${i}`, v)),
      outputs: plan.outputs.map((v, i) => valueInfo(`out${i}`, v)),
      initializers: g.initializers,
    },
  };
}
