/**
 * CLIP's towers (transformers `models/clip/modeling_clip.py`) as standalone ONNX graphs:
 *   vision: pixel_values float [batch, 3, S, S] → image_embeds [batch, P], last_hidden_state [batch, N+1, C]
 *           (transformers' `last_hidden_state`: before post_layernorm)
 *   text:   input_ids int64 [batch, sequence] → text_embeds [batch, P], last_hidden_state [batch, sequence, C]
 * The text tower pools the first end-of-text token (the highest id when eos_token_id is 2, as
 * transformers does for legacy configs), like core's `clipPoolIndices`.
 */
import type { ClipEncoderLayerWeights, ClipModel, ClipTextConfig, ClipVisionConfig, Engine, Variable } from '@captune/core';
import { CaptuneError } from '@captune/core';
import { attr, GraphBuilder } from '../graph/graph-builder.js';
import { ONNX_IR_VERSION, ONNX_OPSET, type OnnxModel, type OnnxValueInfo } from '../proto/onnx-model.js';
import { activation, attention, causalAbove, dim, layerNorm, linear, maskWhere, mergeHeads, splitHeads, TO_INT64 } from './transformer-graph.js';
import { WeightInitializers } from './weight-initializers.js';

type EncoderDims = ClipVisionConfig | ClipTextConfig;

function encoder(g: GraphBuilder, w: WeightInitializers, x0: string, layers: readonly ClipEncoderLayerWeights[], d: EncoderDims, mask: string | null): string {
  const C = d.hiddenSize;
  const H = d.numAttentionHeads;
  const D = C / H;
  let x = x0; // [B, T, C]
  for (const l of layers) {
    const lin = (y: string, p: { readonly weight: Variable; readonly bias: Variable }) => linear(g, y, w.use(p.weight), w.use(p.bias), true);
    const h1 = layerNorm(g, x, w.use(l.layerNorm1.weight), w.use(l.layerNorm1.bias), d.layerNormEps);
    const a = attention(g, splitHeads(g, lin(h1, l.q), H, D), splitHeads(g, lin(h1, l.k), H, D), splitHeads(g, lin(h1, l.v), H, D), mask, 1 / Math.sqrt(D));
    const x1 = g.node('Add', [x, lin(mergeHeads(g, a, C), l.out)]);
    const h2 = layerNorm(g, x1, w.use(l.layerNorm2.weight), w.use(l.layerNorm2.bias), d.layerNormEps);
    x = g.node('Add', [x1, lin(activation(g, d.activation, lin(h2, l.fc1)), l.fc2)]);
  }
  return x;
}

function model(name: string, doc: string, g: GraphBuilder, inputs: OnnxValueInfo[], outputs: OnnxValueInfo[]): OnnxModel {
  return {
    irVersion: ONNX_IR_VERSION,
    opsetImports: [{ domain: '', version: ONNX_OPSET }],
    producerName: 'captune',
    producerVersion: '0.1.0',
    docString: doc,
    graph: { name, nodes: g.nodes, inputs, outputs, initializers: g.initializers },
  };
}

export async function clipVisionGraph(engine: Engine, clip: ClipModel): Promise<OnnxModel> {
  const vision = clip.vision;
  if (!vision) throw new CaptuneError('ONNX export: the CLIP vision tower is not loaded');
  const cfg = vision.config;
  const { hiddenSize: C, patchSize: p, numChannels: ch, imageSize: S } = cfg;
  const g = new GraphBuilder('n');
  const w = new WeightInitializers(engine, g);
  const vw = vision.weights;
  // Patch embedding: the conv kernel [C, 3, p, p] (stored flattened [C, 3·p·p]), stride p, no bias.
  const kernel = w.use(vw.patchEmbedding, vw.patchEmbedding.name, [C, ch, p, p]);
  const conv = g.node('Conv', ['pixel_values', kernel], attr.ints('kernel_shape', [p, p]), attr.ints('strides', [p, p])); // [B, C, G, G]
  const patches = g.node('Transpose', [g.node('Reshape', [conv, g.int64s([0, C, -1])])], attr.ints('perm', [0, 2, 1])); // [B, N, C]
  const clsShape = g.node('Concat', [dim(g, 'pixel_values', 0), g.int64s([1, C])], attr.int('axis', 0));
  const cls = g.node('Expand', [g.node('Reshape', [w.use(vw.classEmbedding), g.int64s([1, 1, C])]), clsShape]); // [B, 1, C]
  const tokens = g.node('Add', [g.node('Concat', [cls, patches], attr.int('axis', 1)), w.use(vw.positionEmbedding)]); // [B, N+1, C]
  const x = layerNorm(g, tokens, w.use(vw.preLayerNorm.weight), w.use(vw.preLayerNorm.bias), cfg.layerNormEps);
  const last = encoder(g, w, x, vw.layers, cfg, null); // [B, N+1, C]
  g.nodeTo('last_hidden_state', 'Identity', [last]);
  const cls0 = g.node('Squeeze', [g.node('Slice', [last, g.int64s([0]), g.int64s([1]), g.int64s([1])]), g.int64s([1])]); // [B, C]
  const pooled = layerNorm(g, cls0, w.use(vw.postLayerNorm.weight), w.use(vw.postLayerNorm.bias), cfg.layerNormEps);
  g.nodeTo('image_embeds', 'MatMul', [pooled, g.node('Transpose', [w.use(vw.projection)], attr.ints('perm', [1, 0]))]); // [B, P]
  await w.done();
  const N1 = (S / p) ** 2 + 1;
  return model(
    'clip_vision',
    `CLIP image encoder (${cfg.numHiddenLayers} layers, hidden ${C}, ${S}x${S} pixels, patch ${p})`,
    g,
    [{ name: 'pixel_values', elemType: 'float', shape: ['batch_size', ch, S, S] }],
    [
      { name: 'image_embeds', elemType: 'float', shape: ['batch_size', vision.projectionDim] },
      { name: 'last_hidden_state', elemType: 'float', shape: ['batch_size', N1, C] },
    ],
  );
}

export async function clipTextGraph(engine: Engine, clip: ClipModel): Promise<OnnxModel> {
  const text = clip.text;
  if (!text) throw new CaptuneError('ONNX export: the CLIP text tower is not loaded');
  const cfg = text.config;
  const C = cfg.hiddenSize;
  const g = new GraphBuilder('n');
  const w = new WeightInitializers(engine, g);
  const tw = text.weights;
  const ids = 'input_ids';
  const T = dim(g, ids, 1);
  const pos = g.node('Slice', [w.use(tw.positionEmbedding), g.int64s([0]), T, g.int64s([0])]); // [T, C]
  const x = g.node('Add', [g.node('Gather', [w.use(tw.tokenEmbedding), ids]), pos]); // [B, T, C]
  const mask = maskWhere(g, causalAbove(g, T, T)); // [T, T]
  const h = encoder(g, w, x, tw.layers, cfg, mask);
  g.nodeTo('last_hidden_state', 'LayerNormalization', [h, w.use(tw.finalLayerNorm.weight), w.use(tw.finalLayerNorm.bias)], attr.int('axis', -1), attr.float('epsilon', cfg.layerNormEps));
  const eos = cfg.eosTokenId;
  const key = eos === 2 ? ids : g.node('Cast', [g.node('Equal', [ids, g.scalar('int64', eos)])], TO_INT64);
  const at = g.node('ArgMax', [key], attr.int('axis', 1), attr.int('keepdims', 1), attr.int('select_last_index', 0)); // [B, 1]
  const pooled = g.node('GatherND', ['last_hidden_state', at], attr.int('batch_dims', 1)); // [B, C]
  g.nodeTo('text_embeds', 'MatMul', [pooled, g.node('Transpose', [w.use(tw.projection)], attr.ints('perm', [1, 0]))]); // [B, P]
  await w.done();
  return model(
    'clip_text',
    `CLIP text encoder (${cfg.numHiddenLayers} layers, hidden ${C})`,
    g,
    [{ name: ids, elemType: 'int64', shape: ['batch_size', 'sequence_length'] }],
    [
      { name: 'text_embeds', elemType: 'float', shape: ['batch_size', text.projectionDim] },
      { name: 'last_hidden_state', elemType: 'float', shape: ['batch_size', 'sequence_length', C] },
    ],
  );
}
