/**
 * Builds an ONNX graph node by node: fresh value names, typed attribute helpers and
 * deduplicated constant initializers. Used by the recording backend (one graph per run) and
 * by the exporters.
 */
import type { OnnxAttribute, OnnxElemType, OnnxNode, OnnxTensor } from '../proto/onnx-model.js';

export const attr = {
  int: (name: string, value: number): OnnxAttribute => ({ name, type: 'int', value }),
  float: (name: string, value: number): OnnxAttribute => ({ name, type: 'float', value }),
  string: (name: string, value: string): OnnxAttribute => ({ name, type: 'string', value }),
  ints: (name: string, value: readonly number[]): OnnxAttribute => ({ name, type: 'ints', value }),
  tensor: (name: string, value: OnnxTensor): OnnxAttribute => ({ name, type: 'tensor', value }),
};

export interface NodeOptions {
  /** Number of outputs. @default 1 */
  readonly outputs?: number;
  readonly domain?: string;
}

/** Little-endian bytes of numbers in an ONNX element type. */
export function tensorBytes(elemType: OnnxElemType, values: ArrayLike<number>): Uint8Array {
  switch (elemType) {
    case 'float':
      return new Uint8Array(Float32Array.from(values).buffer);
    case 'int32':
      return new Uint8Array(Int32Array.from(values).buffer);
    case 'int64':
      return new Uint8Array(BigInt64Array.from(Array.from(values, (v) => BigInt(v))).buffer);
    case 'bool':
      return Uint8Array.from(values, (v) => (v ? 1 : 0));
  }
}

export class GraphBuilder {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxTensor[] = [];
  private readonly constants = new Map<string, string>();
  private counter = 0;

  constructor(private readonly prefix = 't') {}

  /** A new unique value name. */
  fresh(hint = ''): string {
    return `${this.prefix}${this.counter++}${hint ? `_${hint}` : ''}`;
  }

  /** Appends a node; returns its output names. */
  nodeN(opType: string, inputs: readonly string[], attributes: readonly OnnxAttribute[], options: NodeOptions = {}): string[] {
    const outputs = Array.from({ length: options.outputs ?? 1 }, () => this.fresh());
    this.nodes.push({ opType, inputs, outputs, attributes, ...(options.domain ? { domain: options.domain } : {}) });
    return outputs;
  }

  /** Appends a one-output node; returns its output name. */
  node(opType: string, inputs: readonly string[], ...attributes: OnnxAttribute[]): string {
    return this.nodeN(opType, inputs, attributes)[0]!;
  }

  /** Appends a node writing to a given output name. */
  nodeTo(output: string, opType: string, inputs: readonly string[], ...attributes: OnnxAttribute[]): void {
    this.nodes.push({ opType, inputs, outputs: [output], attributes });
  }

  /** A constant initializer (deduplicated by type, dims and values). */
  constant(elemType: OnnxElemType, values: readonly number[], dims: readonly number[] = [values.length]): string {
    const key = `${elemType}|${dims.join(',')}|${values.join(',')}`;
    const hit = this.constants.get(key);
    if (hit) return hit;
    const name = this.fresh('const');
    this.initializers.push({ name, elemType, dims, data: tensorBytes(elemType, values) });
    this.constants.set(key, name);
    return name;
  }

  int64s(values: readonly number[]): string {
    return this.constant('int64', values);
  }

  /** A scalar constant of `elemType`. */
  scalar(elemType: OnnxElemType, value: number): string {
    return this.constant(elemType, [value], []);
  }

  /** A named initializer (weights) holding raw bytes or external data. */
  initializer(t: OnnxTensor): string {
    this.initializers.push(t);
    return t.name;
  }
}
