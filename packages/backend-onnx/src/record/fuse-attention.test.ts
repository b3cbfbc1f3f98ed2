// Fused and unfused graphs (record/fuse-attention.ts) agree: core's causal self-attention block
// (split heads, KV-cache concat, fused attention, merge heads) as one com.microsoft
// MultiHeadAttention — prompt with a causal or padding mask, cached step, q/k/v split from one
// biased projection — with the new keys and values as its present outputs; an encoder's
// attention (no cache: CLIP's towers) as a MultiHeadAttention without them.
import { describe, expect, it } from 'vitest';
import { causalSelfAttention, MASKED, type Engine, type Tensor } from '@captune/core';
import { expectSameResults, useFusionHarness } from './fusion-testing.js';

const [B, T, H, D] = [2, 3, 2, 4];
const C = H * D;

/** Additive causal mask [1, 1, T, P + T] (0 = attend). */
function causalMask(e: Engine, t: number, past: number): Tensor {
  const L = past + t;
  const m = new Float32Array(t * L);
  for (let i = 0; i < t; i++) for (let j = past + i + 1; j < L; j++) m[i * L + j] = MASKED;
  return e.tensor(m, [1, 1, t, L]);
}

describe('multi-head attention fusion', () => {
  const h = useFusionHarness();

  it('fuses a prompt block with a causal mask, returning the new keys and values', async () => {
    const r = await h.run([[B, T, C], [B, T, C], [B, T, C]], (e, [q, k, v]) => {
      const a = causalSelfAttention(e, { q: e.neg(q!), k: e.neg(k!), v: e.neg(v!), heads: H, mask: causalMask(e, T, 0), scale: 0.5 });
      return [a.out, a.kv.k, a.kv.v]; // [B, T, C], [B, H, T, D] ×2
    });
    expectSameResults(r);
    expect(r.fusedNodes).toBe(4); // Neg ×3, MultiHeadAttention
    expect(r.plainNodes).toBeGreaterThanOrEqual(4 + 11);
  });

  it('fuses a cached step (past keys and values, no mask)', async () => {
    const P = 5;
    const r = await h.run([[B, 1, C], [B, 1, C], [B, 1, C], [B, H, P, D], [B, H, P, D]], (e, [q, k, v, pk, pv]) => {
      const a = causalSelfAttention(e, { q: e.neg(q!), k: e.neg(k!), v: e.neg(v!), heads: H, past: { k: pk!, v: pv! }, mask: null, scale: 0.35 });
      return [a.out, a.kv.k, a.kv.v]; // [B, 1, C], [B, H, P + 1, D] ×2
    });
    expectSameResults(r);
    expect(r.fusedNodes).toBe(4);
    expect(r.plainNodes).toBeGreaterThanOrEqual(4 + 13);
  });

  it('fuses a step with a per-row padding mask [B, 1, T, P + T] after a cache', async () => {
    const P = 2;
    const L = P + T;
    const mask = new Float32Array(B * T * L);
    for (let t = 0; t < T; t++) mask[(1 * T + t) * L + 0] = MASKED; // row 1: position 0 is padding
    const r = await h.run([[B, T, C], [B, T, C], [B, T, C], [B, H, P, D], [B, H, P, D]], (e, [q, k, v, pk, pv]) => {
      const m = e.add(e.tensor(mask, [B, 1, T, L]), causalMask(e, T, P)); // [B, 1, T, L]
      const a = causalSelfAttention(e, { q: e.neg(q!), k: e.neg(k!), v: e.neg(v!), heads: H, past: { k: pk!, v: pv! }, mask: m, scale: 0.5 });
      return [a.out, a.kv.k, a.kv.v];
    });
    expectSameResults(r);
    expect(r.fusedNodes).toBe(5); // Neg ×3, Add (mask), MultiHeadAttention
  });

  it('adds the bias of a split q/k/v projection inside the node', async () => {
    const r = await h.run([[B, T, C], [C, 3 * C], [3 * C]], (e, [x, w, b]) => {
      const qkv = e.linear(e.neg(x!), w!, b!); // [B, T, 3C]
      const [q, k, v] = [0, 1, 2].map((i) => e.slice(qkv, [0, 0, i * C], [-1, -1, C])); // [B, T, C] each
      const a = causalSelfAttention(e, { q: q!, k: k!, v: v!, heads: H, mask: causalMask(e, T, 0), scale: 0.5 });
      return [a.out, a.kv.k, a.kv.v];
    });
    expectSameResults(r);
    expect(r.fusedNodes).toBe(4); // Neg, MatMul, Split, MultiHeadAttention (with the bias)
  });

  it('fuses an encoder attention (no cache read or kept), unmasked and with a padding mask', async () => {
    const plain = await h.run([[B, T, C], [B, T, C], [B, T, C]], (e, [q, k, v]) => [
      causalSelfAttention(e, { q: e.neg(q!), k: e.neg(k!), v: e.neg(v!), heads: H, mask: null, scale: 0.5 }).out,
    ]);
    expectSameResults(plain);
    expect(plain.fusedNodes).toBe(4); // three Neg and the MultiHeadAttention
    const masked = await h.run([[B, T, C], [B, T, C], [B, T, C]], (e, [q, k, v]) => {
      const m = new Float32Array(B * T * T); // row 0 may not attend to key 2 (padding); row 1 sees every key
      for (let i = 0; i < T; i++) m[i * T + 2] = MASKED;
      const mask = e.tensor(m, [B, 1, T, T]);
      return [causalSelfAttention(e, { q: e.neg(q!), k: e.neg(k!), v: e.neg(v!), heads: H, mask, scale: 0.5 }).out];
    });
    expectSameResults(masked);
    expect(masked.fusedNodes).toBe(4);
  });

  it('leaves attention on heads that are not split from [B, T, C] alone', async () => {
    const r = await h.run([[B, H, T, D], [B, H, T, D], [B, H, T, D]], (e, [q, k, v]) => {
      const o = e.attention(e.neg(q!), e.neg(k!), e.neg(v!), null, 0.5); // [B, H, T, D]
      return [e.reshape(e.transpose(o, [0, 2, 1, 3]), [B, T, C])];
    });
    expectSameResults(r);
    expect(r.fusedAway).toBe(0);
  });
});
