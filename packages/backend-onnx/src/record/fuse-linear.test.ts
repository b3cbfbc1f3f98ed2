// Fused and unfused graphs (record/fuse-linear.ts) agree: core's linear on [..., K] inputs as
// one MatMul (FusedMatMul for x·wᵀ), with a bias as MatMul + Add (few rows) or Flatten + Gemm +
// Reshape, gelu(linear) as MatMul + FastGelu; and a fused linear's weight is still pre-packed as a constant when several
// rows multiply it.
import { describe, expect, it } from 'vitest';
import { expectSameResults, useFusionHarness } from './fusion-testing.js';
import { fuseRecords } from './fuse-records.js';
import { FEW_ROWS } from './fuse-linear.js';
import { GraphValue, OpRecord } from './graph-value.js';
import { matmulEmitter, reshapeEmitter, binaryEmitter } from './kernel-emitters.js';

describe('linear fusion', () => {
  const h = useFusionHarness();

  it('fuses reshape + matmul + bias + reshape into one record: MatMul + Add for few rows, Flatten + Gemm + Reshape for many, for x·w and x·wᵀ', async () => {
    for (const [rows, fusedPerLinear] of [
      [3, 2], // MatMul (FusedMatMul for x·wᵀ), Add
      [FEW_ROWS / 2 + 1, 3], // 2 × rows > FEW_ROWS: Flatten, Gemm, Reshape
    ] as const) {
      // (An uploaded input is reshaped on the host: the inputs are computed, as inside a model.)
      const r = await h.run([[2, rows, 5], [5, 4], [4, 5], [4]], (e, [x, w, wt, b]) => {
        const nx = e.neg(x!); // [2, rows, 5]
        return [e.linear(nx, w!, b!), e.linear(nx, wt!, b!, { transposed: true })]; // [2, rows, 4] each
      });
      expectSameResults(r);
      // Per linear: the two reshapes and the matmul (already one Gemm with the add) go.
      expect(r.fusedAway).toBe(2 * 3);
      expect(r.plainNodes).toBe(1 + 2 * 4); // Neg; Reshape, Gemm, Add, Reshape
      expect(r.fusedNodes).toBe(1 + 2 * fusedPerLinear);
    }
  });

  it('fuses a linear without bias into one MatMul', async () => {
    const r = await h.run([[3, 2, 6], [6, 7]], (e, [x, w]) => [e.linear(e.neg(x!), w!)]);
    expectSameResults(r);
    expect(r.plainNodes).toBe(4); // Neg, Reshape, Gemm, Reshape
    expect(r.fusedNodes).toBe(2); // Neg, MatMul
  });

  it('fuses gelu(linear) into MatMul + FastGelu', async () => {
    const r = await h.run([[2, 3, 8], [8, 16], [16]], (e, [x, w, b]) => [e.gelu(e.linear(e.neg(x!), w!, b!))]);
    expectSameResults(r);
    expect(r.plainNodes).toBe(6); // Neg, Reshape, Gemm, Add, Reshape, Gelu
    expect(r.fusedNodes).toBe(3); // Neg, MatMul, FastGelu
  });

  it('keeps the 2-D product when core still holds it', async () => {
    const r = await h.run([[2, 3, 5], [5, 4], [4]], (e, [x, w, b]) => {
      const y = e.add(e.matmul(e.reshape(e.neg(x!), [6, 5]), w!), b!); // [6, 4], held
      return [y, e.reshape(y, [2, 3, 4])];
    });
    expectSameResults(r);
    expect(r.fusedAway).toBe(1); // only matmul + bias → Gemm
  });

  it('fuses reshape, matmul, bias add and reshape back into one linear, for one row and for several', () => {
    const w = new GraphValue([5, 4], 'float32');
    const b = new GraphValue([4], 'float32');
    for (const rows of [1, 3]) {
      const x = new GraphValue([1, rows, 5], 'float32');
      const flat = new OpRecord(reshapeEmitter(x, { shape: [rows, 5], dtype: 'float32' }), [x]);
      flat.outputs.push(Object.assign(new GraphValue([rows, 5], 'float32'), { disposed: true, consumers: 1 }));
      const mm = new OpRecord(matmulEmitter(flat.outputs[0]!, w, { transposeA: false, transposeB: false }), [flat.outputs[0]!, w]);
      mm.outputs.push(Object.assign(new GraphValue([rows, 4], 'float32'), { disposed: true, consumers: 1 }));
      const add = new OpRecord(binaryEmitter('add', mm.outputs[0]!, b), [mm.outputs[0]!, b]);
      add.outputs.push(Object.assign(new GraphValue([rows, 4], 'float32'), { disposed: true, consumers: 1 }));
      const back = new OpRecord(reshapeEmitter(add.outputs[0]!, { shape: [1, rows, 4], dtype: 'float32' }), [add.outputs[0]!]);
      back.outputs.push(new GraphValue([1, rows, 4], 'float32'));
      const fused = fuseRecords([flat, mm, add, back]);
      expect(fused.map((r) => r.emitter.key)).toEqual([`linear:01:1,${rows},4`]);
    }
  });
});
