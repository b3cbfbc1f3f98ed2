import * as ort from 'onnxruntime-node';
import { GraphBuilder } from './src/graph/graph-builder.js';
import { encodeOnnxModel } from './src/proto/onnx-model.js';
const g = new GraphBuilder();
let x = 'x';
for (let i = 0; i < 77; i++) x = g.node('Add', [x, g.scalar('float', 1)]);
g.nodeTo('y', 'Identity', [x]);
const bytes = encodeOnnxModel({ irVersion: 9, opsetImports: [{ domain: '', version: 20 }], producerName: 'x', producerVersion: '1', graph: { name: 'g', nodes: g.nodes, inputs: [{ name: 'x', elemType: 'float', shape: [4, 16] }], outputs: [{ name: 'y', elemType: 'float', shape: [4, 16] }], initializers: g.initializers } });
for (const opts of [{}, { intraOpNumThreads: 1 }, { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential' as const }]) {
  const s = await ort.InferenceSession.create(bytes, { executionProviders: ['cpu'], graphOptimizationLevel: 'all', ...opts });
  const feed = new ort.Tensor('float32', new Float32Array(64), [4, 16]);
  for (let k = 0; k < 3; k++) await s.run({ x: feed });
  const t0 = performance.now();
  for (let k = 0; k < 50; k++) await s.run({ x: feed });
  console.log(JSON.stringify(opts), ((performance.now() - t0) / 50).toFixed(3), 'ms/run');
}
