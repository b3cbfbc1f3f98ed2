// Fused and unfused graphs (record/fuse-skip-layer-norm.ts) agree: layerNorm(a + b) as one
// com.microsoft SkipLayerNormalization, with the sum as a second output when it is still read,
// and with a linear's MatMul and bias feeding the node.
import { describe, expect, it } from 'vitest';
import { expectSameResults, useFusionHarness } from './fusion-testing.js';

describe('skip layer norm fusion', () => {
  const h = useFusionHarness();

  it('fuses layerNorm(a + b), the sum disposed', async () => {
    const r = await h.run([[2, 3, 16], [2, 3, 16], [16], [16]], (e, [a, b, g, beta]) => [
      e.layerNorm(e.add(e.neg(a!), b!), e.add(g!, 1), beta!, 1e-5), // [2, 3, 16]
    ]);
    expectSameResults(r);
    expect(r.fusedAway).toBe(1);
    expect(r.plainNodes).toBe(4); // Neg, Add (γ), Add, LayerNormalization
    expect(r.fusedNodes).toBe(3); // Neg, Add (γ), SkipLayerNormalization
  });

  it('returns the sum too when core holds it (the residual stream), rank 2 and 3', async () => {
    for (const shape of [[5, 8], [1, 1, 8]]) {
      const r = await h.run([shape, shape, [8], [8]], (e, [a, b, g, beta]) => {
        const x = e.add(e.neg(a!), e.neg(b!)); // held
        return [e.layerNorm(x, g!, beta!, 1e-5), x];
      });
      expectSameResults(r);
      expect(r.fusedNodes).toBe(r.plainNodes - 1);
    }
  });

  it('takes a linear as the input and its bias as the node bias', async () => {
    // GPT-2's x1 = x + c_proj(attn); ln_2(x1), with x1 read again by the next residual add.
    const r = await h.run([[1, 2, 12], [1, 2, 6], [6, 12], [12], [12], [12]], (e, [x, a, w, b, g, beta]) => {
      const x1 = e.add(e.neg(x!), e.linear(e.neg(a!), w!, b!)); // [1, 2, 12]
      const h2 = e.layerNorm(x1, g!, beta!, 1e-5); // [1, 2, 12]
      return [e.add(x1, h2)];
    });
    expectSameResults(r);
    expect(r.plainNodes).toBe(9); // Neg ×2, Reshape, Gemm, Add, Reshape, Add, LayerNormalization, Add
    expect(r.fusedNodes).toBe(5); // Neg ×2, MatMul, SkipLayerNormalization, Add
  });

  it('leaves the pair alone when γ is computed after the add and the sum is read in between', async () => {
    const r = await h.run([[2, 8], [2, 8], [8], [8]], (e, [a, b, g, beta]) => {
      const x = e.add(e.neg(a!), b!); // [2, 8]
      const z = e.neg(x); // reads the sum before γ exists
      return [e.layerNorm(x, e.add(g!, 1), beta!, 1e-5), z];
    });
    expectSameResults(r);
    expect(r.fusedAway).toBe(0);
  });

  it('leaves a broadcasting add alone', async () => {
    const r = await h.run([[2, 3, 8], [8], [8], [8]], (e, [a, b, g, beta]) => [e.layerNorm(e.add(e.neg(a!), b!), g!, beta!, 1e-5)]);
    expectSameResults(r);
    expect(r.fusedAway).toBe(0);
  });
});
