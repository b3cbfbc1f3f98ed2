/**
 * Checks an exported model against the engine: a fresh `InferenceSession` loads the written
 * file and runs it on the same inputs the engine runs; the largest difference of every output
 * must stay within `1e-4 · max(1, max |engine value|)` (float32 with a different op order).
 */
import { CaptuneError, type ClipModel, type Engine, type Gpt2Model, type Tensor } from '@captune/core';
import type { Ort, OrtTensor } from '../ort-runtime.js';

export interface OutputCheck {
  readonly output: string;
  readonly maxAbsDiff: number;
  readonly tolerance: number;
}

type Feeds = Record<string, OrtTensor>;

function compare(output: string, got: ArrayLike<number>, want: ArrayLike<number>): OutputCheck {
  if (got.length !== want.length) throw new CaptuneError(`ONNX export check: output "${output}" has ${got.length} values, the engine gives ${want.length}`);
  let maxAbsDiff = 0;
  let scale = 1;
  for (let i = 0; i < got.length; i++) {
    maxAbsDiff = Math.max(maxAbsDiff, Math.abs(got[i]! - want[i]!));
    scale = Math.max(scale, Math.abs(want[i]!));
  }
  if (Number.isNaN(maxAbsDiff)) maxAbsDiff = Infinity;
  return { output, maxAbsDiff, tolerance: 1e-4 * scale };
}

async function run(ort: Ort, path: string, feeds: Feeds): Promise<Record<string, OrtTensor>> {
  const session = await ort.InferenceSession.create(path, { executionProviders: ['cpu'] });
  try {
    return (await session.run(feeds)) as Record<string, OrtTensor>;
  } finally {
    await session.release();
  }
}

const int64 = (ort: Ort, values: readonly number[], dims: readonly number[]) => new ort.Tensor('int64', BigInt64Array.from(values, (v) => BigInt(v)), [...dims]);

async function readAndFree(e: Engine, t: Tensor): Promise<Float32Array> {
  const d = (await e.read(t)) as Float32Array;
  e.dispose(t);
  return d;
}

/** The rows [B·T, V] of real (unpadded) positions. */
function realRows(x: Float32Array, mask: readonly (readonly number[])[], V: number): Float32Array {
  const T = mask[0]!.length;
  const rows = mask.flatMap((row, b) => row.flatMap((m, t) => (m ? [b * T + t] : [])));
  const out = new Float32Array(rows.length * V);
  rows.forEach((r, i) => out.set(x.subarray(r * V, (r + 1) * V), i * V));
  return out;
}

/** Two decoder steps (a left-padded prompt, then one token with the cache) on both. */
export async function checkGpt2Export(ort: Ort, path: string, e: Engine, lm: Gpt2Model): Promise<OutputCheck[]> {
  const c = lm.gpt2Config;
  const H = c.nHead;
  const D = c.nEmbd / H;
  const ids = [[0, 5, 7, 11], [3, 1, 4, 1]].map((r) => r.map((v) => v % c.vocabSize));
  const mask = [[0, 1, 1, 1], [1, 1, 1, 1]];
  const B = 2;
  const T = 4;
  const positions = mask.map((row) => {
    let n = 0;
    return row.map((m) => (m ? n++ : 1)); // cumsum − 1, padding at position 1 (HF GPT-2 generate)
  });
  // Engine: prompt step then one more token.
  const promptIds = e.tensor(Int32Array.from(ids.flat()), [B, T], 'int32'); // [B, T]
  const step1 = lm.step({ inputIds: promptIds, attentionMask: mask, logitsFor: 'all' });
  e.dispose(promptIds);
  const next = [9 % c.vocabSize, 2 % c.vocabSize];
  const mask2 = mask.map((r) => [...r, 1]);
  const nextIds = e.tensor(Int32Array.from(next), [B, 1], 'int32');
  const step2 = lm.step({ inputIds: nextIds, attentionMask: mask2, cache: step1.cache, logitsFor: 'all' });
  e.dispose(nextIds);
  const want1 = await readAndFree(e, step1.logits);
  const want2 = await readAndFree(e, step2.logits);
  const wantK = await e.read(step2.cache.layers[0]!.k); // layer 0: its padding positions are well defined too
  step1.cache.dispose();
  step2.cache.dispose();
  // ONNX: the same two steps, the second fed the first's present tensors.
  const empty = new ort.Tensor('float32', new Float32Array(0), [B, H, 0, D]);
  const feeds1: Feeds = { input_ids: int64(ort, ids.flat(), [B, T]), attention_mask: int64(ort, mask.flat(), [B, T]), position_ids: int64(ort, positions.flat(), [B, T]) };
  for (let i = 0; i < c.nLayer; i++) feeds1[`past_key_values.${i}.key`] = feeds1[`past_key_values.${i}.value`] = empty;
  const out1 = await run(ort, path, feeds1);
  const feeds2: Feeds = {
    input_ids: int64(ort, next, [B, 1]),
    attention_mask: int64(ort, mask2.flat(), [B, T + 1]),
    // The new token's position: the number of real prompt tokens.
    position_ids: int64(ort, mask.map((row) => row.reduce((a, b) => a + b, 0)), [B, 1]),
  };
  for (let i = 0; i < c.nLayer; i++) {
    feeds2[`past_key_values.${i}.key`] = out1[`present.${i}.key`]!;
    feeds2[`past_key_values.${i}.value`] = out1[`present.${i}.value`]!;
  }
  const out2 = await run(ort, path, feeds2);
  return [
    // Padding queries attend to nothing; their rows are arbitrary (the float64 reference and
    // float32 runtimes disagree there), so only real positions are compared.
    compare('logits (prompt step)', realRows(out1.logits!.data as Float32Array, mask, c.vocabSize), realRows(want1, mask, c.vocabSize)),
    compare('logits (cached step)', out2.logits!.data as Float32Array, want2),
    compare('present.0.key (cached step)', out2['present.0.key']!.data as Float32Array, wantK),
  ];
}

/** Two seeded images through the vision tower. */
export async function checkClipVisionExport(ort: Ort, path: string, e: Engine, clip: ClipModel): Promise<OutputCheck[]> {
  const cfg = clip.vision!.config;
  const n = 2 * cfg.numChannels * cfg.imageSize * cfg.imageSize;
  const pixels = Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37) * 1.5);
  const shape = [2, cfg.numChannels, cfg.imageSize, cfg.imageSize];
  const x = e.tensor(pixels, shape);
  const o = clip.encodeImages(x);
  const wantEmbeds = await e.read(o.embeds);
  const wantLast = await e.read(o.lastHiddenState);
  e.dispose([x, o.embeds, o.lastHiddenState, o.tokensPostLn, o.pooled]);
  const out = await run(ort, path, { pixel_values: new ort.Tensor('float32', pixels, shape) });
  return [compare('image_embeds', out.image_embeds!.data as Float32Array, wantEmbeds), compare('last_hidden_state', out.last_hidden_state!.data as Float32Array, wantLast)];
}

/** Two token rows (end-of-text at different positions) through the text tower. */
export async function checkClipTextExport(ort: Ort, path: string, e: Engine, clip: ClipModel): Promise<OutputCheck[]> {
  const cfg = clip.text!.config;
  const { bosTokenId: bos, eosTokenId: eos } = cfg;
  const filler = (i: number) => (3 + i * 7) % Math.min(bos, eos);
  const rows = [
    [bos, filler(1), filler(2), eos, 0, 0],
    [bos, filler(3), filler(4), filler(5), filler(6), eos],
  ];
  const o = clip.encodeTexts(rows);
  const wantEmbeds = await e.read(o.embeds);
  const wantLast = await e.read(o.lastHiddenState);
  e.dispose([o.embeds, o.lastHiddenState, o.pooled]);
  const out = await run(ort, path, { input_ids: int64(ort, rows.flat(), [2, 6]) });
  return [compare('text_embeds', out.text_embeds!.data as Float32Array, wantEmbeds), compare('last_hidden_state', out.last_hidden_state!.data as Float32Array, wantLast)];
}
