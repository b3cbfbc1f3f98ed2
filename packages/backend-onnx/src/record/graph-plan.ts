/**
 * The ONNX graph of a batch of pending records: its structural signature (the session cache
 * key), its inputs, constants and outputs, and the model it compiles to.
 *
 * Inputs are the materialised values the records read, fed at every run. Constants are inputs
 * the constant policy (constant-policy.ts) promotes: frozen weights. They become initializers
 * whose bytes ORT reads from our own buffers (`externalData` of the session options: no copy into
 * the model bytes), so ORT pre-packs the GEMM weights once per session instead of packing them
 * on every run, and a run feeds only data. The signature names each constant by
 * its value id: a session with constants serves only those very weights. The signature is kept
 * as arrays (`GraphStructure`): a decoding step that records the same graph as the step before
 * is recognised by comparing them, without building the session key string.
 */
import { GraphBuilder } from '../graph/graph-builder.js';
import {
  ONNX_IR_VERSION,
  ONNX_OPSET,
  type OnnxModel,
  type OnnxValueInfo,
} from '../proto/onnx-model.js';
import { elemType, MS_DOMAIN } from './kernel-emitters.js';
import type { GraphValue, OpRecord } from './graph-value.js';

/** The graph of a batch of records: signature, inputs, constants, outputs. */
export interface GraphPlan {
  /** Everything the compiled graph depends on, as arrays (cheap to build and to compare). */
  readonly structure: GraphStructure;
  /** Fed at every run, in order (`in0`, `in1`, …). */
  readonly inputs: GraphValue[];
  /** Initializers backed by the values' own bytes (`c0`, `c1`, …). */
  readonly constants: GraphValue[];
  /** Produced values core still holds, in order (`out0`, `out1`, …). */
  readonly outputs: GraphValue[];
}

/**
 * The structural signature of a plan: each record's emitter key, how record inputs are wired
 * (a produced value's index ≥ 0, graph input i as -1 - 2i, constant j as -2 - 2j), each graph
 * input's dtype and rank, the constants by value id and which produced values are outputs.
 * Two plans with equal structures compile to the same graph.
 */
export interface GraphStructure {
  readonly keys: readonly string[];
  readonly wiring: readonly number[];
  /** End of each record's inputs in `wiring`. */
  readonly recordEnds: readonly number[];
  readonly inputs: readonly string[];
  readonly constants: readonly number[];
  readonly outputs: readonly number[];
}

/** The session cache key of a structure (one string; built only when the last structure differs). */
export function structureKey(s: GraphStructure): string {
  let w = 0;
  const parts = s.keys.map((key, j) => `${key}(${s.wiring.slice(w, (w = s.recordEnds[j]!)).join(',')})`);
  return `${parts.join('\n')}\nin:${s.inputs.join(';')}\nconst:${s.constants.join(',')}\nout:${s.outputs.join(',')}`;
}

/** Whether two structures are equal (same graph), by element. */
export function sameStructure(a: GraphStructure, b: GraphStructure): boolean {
  return (
    sameArray(a.keys, b.keys) &&
    sameArray(a.wiring, b.wiring) &&
    sameArray(a.recordEnds, b.recordEnds) &&
    sameArray(a.inputs, b.inputs) &&
    sameArray(a.constants, b.constants) &&
    sameArray(a.outputs, b.outputs)
  );
}

function sameArray<T>(a: readonly T[], b: readonly T[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** One in-memory external data file of a session: the bytes of a constant. */
export interface ExternalBytes {
  readonly path: string;
  readonly data: Uint8Array;
}

/** Structure, inputs, constants and outputs of a batch; `isConstant` picks the constants among its inputs. */
export function planGraph(
  records: readonly OpRecord[],
  isConstant: (v: GraphValue) => boolean,
): GraphPlan {
  const local = new Map<GraphValue, number>();
  const inputs: GraphValue[] = [];
  const constants: GraphValue[] = [];
  const outputs: GraphValue[] = [];
  const keys: string[] = [];
  const wiring: number[] = [];
  const recordEnds: number[] = [];
  const outIndices: number[] = [];
  let produced = 0;
  for (const r of records) {
    for (const x of r.inputs) {
      let ref = local.get(x);
      if (ref === undefined) {
        if (!x.tensor)
          throw new Error(
            `onnx backend (internal): an input of "${r.emitter.key}" is neither computed nor produced in this graph`,
          );
        if (isConstant(x)) {
          ref = -2 - 2 * constants.length;
          constants.push(x);
        } else {
          ref = -1 - 2 * inputs.length;
          inputs.push(x);
        }
        local.set(x, ref);
      }
      wiring.push(ref);
    }
    recordEnds.push(wiring.length);
    keys.push(r.emitter.key);
    for (const o of r.outputs) {
      if (!o.disposed) {
        outputs.push(o);
        outIndices.push(produced);
      }
      local.set(o, produced++);
    }
  }
  const structure: GraphStructure = {
    keys,
    wiring,
    recordEnds,
    inputs: inputs.map((x) => `${x.dtype}/${x.shape.length}`),
    constants: constants.map((x) => x.id),
    outputs: outIndices,
  };
  return { structure, inputs, constants, outputs };
}

/** Every input dimension symbolic: the session serves any shapes that record the same graph. */
function valueInfo(name: string, v: GraphValue): OnnxValueInfo {
  return { name, elemType: elemType(v.dtype), shape: v.shape.map((_, i) => `${name}_d${i}`) };
}

/** The bytes of a materialised value, without a copy. */
export function valueBytes(v: GraphValue): Uint8Array {
  const d = v.tensor!.data as Float32Array | Int32Array;
  return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
}

/** The ONNX model of a planned batch and the external bytes of its constants. */
export function buildModel(
  records: readonly OpRecord[],
  plan: GraphPlan,
): { model: OnnxModel; external: ExternalBytes[]; outputNames: string[] } {
  const g = new GraphBuilder('t');
  const names = new Map<GraphValue, string>();
  plan.inputs.forEach((v, i) => names.set(v, `in${i}`));
  const external = plan.constants.map((v, i): ExternalBytes => {
    const name = `c${i}`;
    const data = valueBytes(v);
    g.initializer({
      name,
      elemType: elemType(v.dtype),
      dims: v.shape,
      data: { location: name, offset: 0, length: data.byteLength },
    });
    names.set(v, name);
    return { path: name, data };
  });
  for (const r of records) {
    const outs = r.emitter.emit(
      g,
      r.inputs.map((x) => names.get(x)!),
    );
    r.outputs.forEach((o, i) => names.set(o, outs[i]!));
  }
  // A value a node of this graph produces is a graph output under its own name; an Identity
  // (which copies) only for an input, a constant, or a name already used as an output.
  const produced = new Set(g.nodes.flatMap((n) => n.outputs));
  const outputNames: string[] = [];
  const taken = new Set<string>();
  plan.outputs.forEach((v, i) => {
    let name = names.get(v)!;
    if (!produced.has(name) || taken.has(name)) {
      g.nodeTo(`out${i}`, 'Identity', [name]);
      name = `out${i}`;
    }
    taken.add(name);
    outputNames.push(name);
  });
  const model: OnnxModel = {
    irVersion: ONNX_IR_VERSION,
    opsetImports: [
      { domain: '', version: ONNX_OPSET },
      // onnxruntime's contrib ops (QuickGelu from record/fuse-records.ts).
      ...(g.nodes.some((n) => n.domain === MS_DOMAIN) ? [{ domain: MS_DOMAIN, version: 1 }] : []),
    ],
    producerName: 'captune',
    producerVersion: '0.1.0',
    graph: {
      name: 'captune_recorded',
      nodes: g.nodes,
      inputs: plan.inputs.map((v, i) => valueInfo(`in${i}`, v)),
      outputs: plan.outputs.map((v, i) => valueInfo(outputNames[i]!, v)),
      initializers: g.initializers,
    },
  };
  return { model, external, outputNames };
}
