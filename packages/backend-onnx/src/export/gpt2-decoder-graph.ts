/**
 * GPT-2 (`GPT2LMHeadModel`, transformers `modeling_gpt2.py`) as one standalone ONNX graph: a
 * decoder step with KV cache, in the input/output naming of Hugging Face Optimum's
 * `decoder_model_merged` exports:
 *   inputs  input_ids int64 [batch, sequence], attention_mask int64 [batch, past_sequence + sequence],
 *           position_ids int64 [batch, sequence], past_key_values.{i}.key / .value float [batch, heads, past_sequence, head_dim]
 *   outputs logits float [batch, sequence, vocab], present.{i}.key / .value float [batch, heads, past_sequence + sequence, head_dim]
 * The first step passes past tensors with past_sequence = 0. The mask is causal plus padding
 * (masked scores = −1e9, as core's decoder-inputs.ts).
 */
import { CaptuneError, type Engine, type Gpt2Model, type Variable } from '@captune/core';
import { attr, GraphBuilder } from '../graph/graph-builder.js';
import { ONNX_IR_VERSION, ONNX_OPSET, type OnnxModel, type OnnxValueInfo } from '../proto/onnx-model.js';
import { activation, attention, causalAbove, dim, layerNorm, linear, maskWhere, mergeHeads, splitHeads, TO_BOOL } from './transformer-graph.js';
import { WeightInitializers } from './weight-initializers.js';

export async function gpt2DecoderGraph(engine: Engine, lm: Gpt2Model): Promise<OnnxModel> {
  const c = lm.gpt2Config;
  const C = c.nEmbd;
  const H = c.nHead;
  const D = C / H;
  const byName = new Map<string, Variable>();
  for (const v of lm.weights) byName.set(v.name.replace(/^transformer\./, ''), v);
  const g = new GraphBuilder('n');
  const weights = new WeightInitializers(engine, g);
  const w = (name: string): string => {
    const v = byName.get(name);
    if (!v) throw new CaptuneError(`ONNX export: GPT-2 weight "${name}" was not loaded`);
    return weights.use(v, v.name);
  };

  const ids = 'input_ids';
  const mask2d = 'attention_mask';
  const pos = 'position_ids';
  const T = dim(g, ids, 1);
  const L = dim(g, mask2d, 1);
  // Additive mask [B, 1, T, L]: padding keys and keys after each query masked.
  const padding = g.node('Unsqueeze', [g.node('Not', [g.node('Cast', [mask2d], TO_BOOL)]), g.int64s([1, 2])]); // [B, 1, 1, L]
  const causal = causalAbove(g, T, L); // [T, L]
  const mask = maskWhere(g, g.node('Or', [padding, causal])); // [B, 1, T, L]

  let x = g.node('Add', [g.node('Gather', [w('wte.weight'), ids]), g.node('Gather', [w('wpe.weight'), pos])]); // [B, T, C]
  const inputs: OnnxValueInfo[] = [
    { name: ids, elemType: 'int64', shape: ['batch_size', 'sequence_length'] },
    { name: mask2d, elemType: 'int64', shape: ['batch_size', 'total_sequence_length'] },
    { name: pos, elemType: 'int64', shape: ['batch_size', 'sequence_length'] },
  ];
  const outputs: OnnxValueInfo[] = [{ name: 'logits', elemType: 'float', shape: ['batch_size', 'sequence_length', c.vocabSize] }];
  for (let i = 0; i < c.nLayer; i++) {
    const h = `h.${i}.`;
    const pastK = `past_key_values.${i}.key`;
    const pastV = `past_key_values.${i}.value`;
    for (const name of [pastK, pastV]) inputs.push({ name, elemType: 'float', shape: ['batch_size', H, 'past_sequence_length', D] });
    const ln1 = layerNorm(g, x, w(`${h}ln_1.weight`), w(`${h}ln_1.bias`), c.layerNormEps); // [B, T, C]
    const qkv = linear(g, ln1, w(`${h}attn.c_attn.weight`), w(`${h}attn.c_attn.bias`), false); // [B, T, 3C]
    const [q, k, v] = g.nodeN('Split', [qkv, g.int64s([C, C, C])], [attr.int('axis', 2)], { outputs: 3 }) as [string, string, string];
    const presentK = `present.${i}.key`;
    const presentV = `present.${i}.value`;
    g.nodeTo(presentK, 'Concat', [pastK, splitHeads(g, k, H, D)], attr.int('axis', 2)); // [B, H, L, D]
    g.nodeTo(presentV, 'Concat', [pastV, splitHeads(g, v, H, D)], attr.int('axis', 2)); // [B, H, L, D]
    for (const name of [presentK, presentV]) outputs.push({ name, elemType: 'float', shape: ['batch_size', H, 'total_sequence_length', D] });
    let scale = c.scaleAttnWeights ? 1 / Math.sqrt(D) : 1;
    if (c.scaleAttnByInverseLayerIdx) scale /= i + 1;
    const a = mergeHeads(g, attention(g, splitHeads(g, q, H, D), presentK, presentV, mask, scale), C); // [B, T, C]
    const x1 = g.node('Add', [x, linear(g, a, w(`${h}attn.c_proj.weight`), w(`${h}attn.c_proj.bias`), false)]); // [B, T, C]
    const ln2 = layerNorm(g, x1, w(`${h}ln_2.weight`), w(`${h}ln_2.bias`), c.layerNormEps);
    const f = activation(g, c.activation, linear(g, ln2, w(`${h}mlp.c_fc.weight`), w(`${h}mlp.c_fc.bias`), false)); // [B, T, I]
    x = g.node('Add', [x1, linear(g, f, w(`${h}mlp.c_proj.weight`), w(`${h}mlp.c_proj.bias`), false)]); // [B, T, C]
  }
  const hidden = layerNorm(g, x, w('ln_f.weight'), w('ln_f.bias'), c.layerNormEps); // [B, T, C]
  const head = byName.has('lm_head.weight') ? w('lm_head.weight') : w('wte.weight'); // [V, C]
  g.nodeTo('logits', 'MatMul', [hidden, g.node('Transpose', [head], attr.ints('perm', [1, 0]))]); // [B, T, V]
  await weights.done();
  return {
    irVersion: ONNX_IR_VERSION,
    opsetImports: [{ domain: '', version: ONNX_OPSET }],
    producerName: 'captune',
    producerVersion: '0.1.0',
    docString: `GPT-2 decoder step with KV cache (${c.nLayer} layers, ${H} heads, hidden ${C}, vocabulary ${c.vocabSize})`,
    graph: { name: 'gpt2_decoder_with_past', nodes: g.nodes, inputs, outputs, initializers: g.initializers },
  };
}
