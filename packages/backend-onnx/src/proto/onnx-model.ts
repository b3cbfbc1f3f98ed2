/**
 * The subset of ONNX's protobuf schema (onnx/onnx.proto, IR version 9) that captune writes, as
 * plain objects, and their encoding. Field numbers follow onnx.proto.
 */
import { ProtobufWriter } from './protobuf-writer.js';

/** ONNX `TensorProto.DataType` values used here. */
export const OnnxDataType = { float: 1, int32: 6, int64: 7, bool: 9 } as const;
export type OnnxElemType = keyof typeof OnnxDataType;

/** A dimension: a fixed size or a symbolic name (`dim_param`). */
export type OnnxDim = number | string;

export interface OnnxValueInfo {
  readonly name: string;
  readonly elemType: OnnxElemType;
  readonly shape: readonly OnnxDim[];
}

export interface OnnxTensor {
  readonly name: string;
  readonly elemType: OnnxElemType;
  readonly dims: readonly number[];
  /** Little-endian raw bytes (`raw_data`), or where they are stored (`external_data`). */
  readonly data: Uint8Array | { readonly location: string; readonly offset: number; readonly length: number };
}

export type OnnxAttribute =
  | { readonly name: string; readonly type: 'int'; readonly value: number }
  | { readonly name: string; readonly type: 'float'; readonly value: number }
  | { readonly name: string; readonly type: 'string'; readonly value: string }
  | { readonly name: string; readonly type: 'ints'; readonly value: readonly number[] }
  | { readonly name: string; readonly type: 'tensor'; readonly value: OnnxTensor };

export interface OnnxNode {
  readonly opType: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes?: readonly OnnxAttribute[];
  /** '' (the default ONNX domain) or e.g. 'com.microsoft'. */
  readonly domain?: string;
  readonly name?: string;
}

export interface OnnxGraph {
  readonly name: string;
  readonly nodes: readonly OnnxNode[];
  readonly inputs: readonly OnnxValueInfo[];
  readonly outputs: readonly OnnxValueInfo[];
  readonly initializers: readonly OnnxTensor[];
}

export interface OnnxModel {
  readonly irVersion: number;
  readonly opsetImports: readonly { readonly domain: string; readonly version: number }[];
  readonly producerName: string;
  readonly producerVersion: string;
  readonly graph: OnnxGraph;
  readonly docString?: string;
}

/** The opset captune records and exports with (LayerNormalization 17, Gelu 20, axes-as-input reductions 18). */
export const ONNX_OPSET = 20;
export const ONNX_IR_VERSION = 9;

const ATTR_TYPE = { float: 1, int: 2, string: 3, tensor: 4, ints: 7 } as const;

function encodeTensor(t: OnnxTensor): ProtobufWriter {
  const w = new ProtobufWriter();
  w.packedInts(1, t.dims);
  w.int(2, OnnxDataType[t.elemType]);
  w.string(8, t.name);
  if (t.data instanceof Uint8Array) {
    w.bytes(9, t.data);
  } else {
    const entries: [string, string][] = [
      ['location', t.data.location],
      ['offset', String(t.data.offset)],
      ['length', String(t.data.length)],
    ];
    for (const [k, v] of entries) w.message(13, new ProtobufWriter().string(1, k).string(2, v));
    w.int(14, 1); // data_location = EXTERNAL
  }
  return w;
}

function encodeAttribute(a: OnnxAttribute): ProtobufWriter {
  const w = new ProtobufWriter().string(1, a.name);
  switch (a.type) {
    case 'float':
      w.float(2, a.value);
      break;
    case 'int':
      w.int(3, a.value);
      break;
    case 'string':
      w.string(4, a.value);
      break;
    case 'tensor':
      w.message(5, encodeTensor(a.value));
      break;
    case 'ints':
      w.packedInts(8, a.value);
      break;
  }
  w.int(20, ATTR_TYPE[a.type]);
  return w;
}

function encodeNode(n: OnnxNode): ProtobufWriter {
  const w = new ProtobufWriter();
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  if (n.name) w.string(3, n.name);
  w.string(4, n.opType);
  for (const a of n.attributes ?? []) w.message(5, encodeAttribute(a));
  if (n.domain) w.string(7, n.domain);
  return w;
}

function encodeValueInfo(v: OnnxValueInfo): ProtobufWriter {
  const shape = new ProtobufWriter();
  for (const d of v.shape) {
    shape.message(1, typeof d === 'number' ? new ProtobufWriter().int(1, d) : new ProtobufWriter().string(2, d));
  }
  const tensorType = new ProtobufWriter().int(1, OnnxDataType[v.elemType]).message(2, shape);
  const type = new ProtobufWriter().message(1, tensorType);
  return new ProtobufWriter().string(1, v.name).message(2, type);
}

function encodeGraph(g: OnnxGraph): ProtobufWriter {
  const w = new ProtobufWriter();
  for (const n of g.nodes) w.message(1, encodeNode(n));
  w.string(2, g.name);
  for (const t of g.initializers) w.message(5, encodeTensor(t));
  for (const v of g.inputs) w.message(11, encodeValueInfo(v));
  for (const v of g.outputs) w.message(12, encodeValueInfo(v));
  return w;
}

/** Serialises a model to ONNX protobuf bytes. */
export function encodeOnnxModel(m: OnnxModel): Uint8Array {
  const w = new ProtobufWriter();
  w.int(1, m.irVersion);
  w.string(2, m.producerName);
  w.string(3, m.producerVersion);
  if (m.docString) w.string(6, m.docString);
  w.message(7, encodeGraph(m.graph));
  for (const o of m.opsetImports) w.message(8, new ProtobufWriter().string(1, o.domain).int(2, o.version));
  return w.finish();
}
