/**
 * The main structural checks of `onnx.checker.check_model` (onnx/checker.cc) in TypeScript, for
 * the models captune writes: opset imports, single assignment of every value, every node input
 * defined before use (so nodes are in topological order), graph outputs produced, value types
 * and dims well formed, initializer sizes matching their dims. Operator schemas and type
 * inference are not checked here; with Python, `python -m onnx.checker MODEL.onnx` (or
 * `onnx.checker.check_model(path, full_check=True)`) does the full check.
 */
import { OnnxDataType, type OnnxModel, type OnnxValueInfo } from '../proto/onnx-model.js';

const ELEM_BYTES: Record<keyof typeof OnnxDataType, number> = { float: 4, int32: 4, int64: 8, bool: 1 };

/** Every problem found, one line each (empty when the model passes). */
export function checkOnnxModel(m: OnnxModel): string[] {
  const problems: string[] = [];
  const g = m.graph;
  if (!Number.isInteger(m.irVersion) || m.irVersion < 3) problems.push(`ir_version ${m.irVersion} is not a valid IR version`);
  const domains = new Map<string, number>();
  for (const o of m.opsetImports) {
    if (domains.has(o.domain)) problems.push(`opset_import lists domain "${o.domain}" twice`);
    domains.set(o.domain, o.version);
  }
  if (!domains.has('')) problems.push('opset_import has no entry for the default ONNX domain ""');
  const defined = new Set<string>();
  const define = (name: string, what: string) => {
    if (!name) problems.push(`${what} has an empty name`);
    else if (defined.has(name)) problems.push(`${what} "${name}" is defined more than once (ONNX graphs are single-assignment)`);
    defined.add(name);
  };
  const checkInfo = (v: OnnxValueInfo, what: string) => {
    if (!(v.elemType in OnnxDataType)) problems.push(`${what} "${v.name}" has unknown element type ${String(v.elemType)}`);
    v.shape.forEach((d, i) => {
      const ok = typeof d === 'number' ? Number.isInteger(d) && d >= 0 : d.length > 0;
      if (!ok) problems.push(`${what} "${v.name}" dimension ${i} is ${JSON.stringify(d)} (expected a size >= 0 or a symbolic name)`);
    });
  };
  for (const v of g.inputs) {
    define(v.name, 'graph input');
    checkInfo(v, 'graph input');
  }
  for (const t of g.initializers) {
    define(t.name, 'initializer');
    const expected = t.dims.reduce((a, b) => a * b, 1) * ELEM_BYTES[t.elemType];
    const got = t.data instanceof Uint8Array ? t.data.byteLength : t.data.length;
    if (got !== expected) problems.push(`initializer "${t.name}" holds ${got} bytes, its dims [${t.dims.join(', ')}] need ${expected}`);
  }
  g.nodes.forEach((n, i) => {
    const where = `node ${i} (${n.opType}${n.name ? ` "${n.name}"` : ''})`;
    if (!n.opType) problems.push(`node ${i} has no op_type`);
    if (!domains.has(n.domain ?? '')) problems.push(`${where} uses domain "${n.domain}", which opset_import does not list`);
    for (const input of n.inputs) {
      if (input !== '' && !defined.has(input)) problems.push(`${where} reads "${input}", which no graph input, initializer or earlier node defines`);
    }
    if (n.outputs.length === 0) problems.push(`${where} has no outputs`);
    for (const o of n.outputs) if (o !== '') define(o, `${where} output`);
  });
  const outputs = new Set<string>();
  for (const v of g.outputs) {
    if (outputs.has(v.name)) problems.push(`graph output "${v.name}" is listed twice`);
    outputs.add(v.name);
    if (!defined.has(v.name)) problems.push(`graph output "${v.name}" is never produced`);
    checkInfo(v, 'graph output');
  }
  return problems;
}
