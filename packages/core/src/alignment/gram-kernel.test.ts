import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Rng } from '../random/rng.js';
import { GRAM_KERNEL_WASM_BASE64 } from './gram-kernel-wasm.js';
import { createKernel, PanelGram, wasmGramAvailable } from './gram-kernel.js';

const here = dirname(fileURLToPath(import.meta.url));

/** G = AᵀB by plain loops. */
function naive(a: Float64Array, b: Float64Array, rows: number, da: number, db: number): Float64Array {
  const g = new Float64Array(da * db);
  for (let k = 0; k < rows; k++) for (let i = 0; i < da; i++) for (let j = 0; j < db; j++) g[i * db + j]! += a[k * da + i]! * b[k * db + j]!;
  return g;
}

function pack(gram: PanelGram, rows: number, cols: Float64Array, d: number, firstColumn: number): void {
  const padded = Math.ceil(d / 4) * 4;
  for (let k = 0; k < rows; k++) for (let j = 0; j < padded; j++) gram.panels[PanelGram.panelIndex(rows, k, firstColumn + j)] = j < d ? cols[k * d + j]! : 0;
}

describe('gram kernel', () => {
  it('the committed wasm bytes are gram-kernel.wat assembled', async () => {
    const wabt = await (await import('wabt')).default();
    const wat = readFileSync(join(here, 'gram-kernel.wat'), 'utf8');
    const bytes = Buffer.from(wabt.parseWat('gram-kernel.wat', wat, { simd: true }).toBinary({}).buffer);
    if (process.env.UPDATE_GRAM_WASM) {
      const file = join(here, 'gram-kernel-wasm.ts');
      writeFileSync(file, readFileSync(file, 'utf8').replace(/^ {2}'.*';$/m, `  '${bytes.toString('base64')}';`));
    }
    expect(bytes.toString('base64')).toBe(GRAM_KERNEL_WASM_BASE64);
    expect(wasmGramAvailable()).toBe(true); // Node 20 has WebAssembly SIMD
  });

  for (const wasm of [true, false]) {
    it(`${wasm ? 'wasm' : 'js'}: upper and cross products equal plain loops (odd sizes, padding)`, () => {
      const rng = new Rng(1);
      const [rows, da, db] = [13, 7, 6];
      const a = Float64Array.from(rng.normalArray(rows * da));
      const b = Float64Array.from(rng.normalArray(rows * db));
      const cross = new PanelGram('cross', 2, 2, 16, { wasm });
      expect(cross.usesWasm).toBe(wasm);
      pack(cross, rows, a, da, 0);
      pack(cross, rows, b, db, 8);
      cross.run(rows);
      cross.run(rows); // accumulates
      const want = naive(a, b, rows, da, db);
      for (let i = 0; i < da; i++) for (let j = 0; j < db; j++) expect(cross.out[i * cross.ldg + j]).toBeCloseTo(2 * want[i * db + j]!, 12);
      const upper = new PanelGram('upper', 2, 2, 16, { wasm });
      pack(upper, rows, a, da, 0);
      pack(upper, rows, b, db, 8);
      upper.run(rows);
      const aa = naive(a, a, rows, da, da);
      for (let i = 0; i < da; i++) {
        for (let j = i; j < da; j++) expect(upper.out[i * upper.ldg + j]).toBeCloseTo(aa[i * da + j]!, 12);
        for (let j = 0; j < db; j++) expect(upper.out[i * upper.ldg + 8 + j]).toBeCloseTo(want[i * db + j]!, 12);
      }
    });

    it(`${wasm ? 'wasm' : 'js'}: dot and rot`, () => {
      const k = createKernel(64 * 8, { wasm });
      const f = new Float64Array(k.buffer, 0, 64);
      for (let i = 0; i < 20; i++) f[i] = i + 1;
      expect(k.dot(0, 80, 10)).toBe([...Array(10).keys()].reduce((s, i) => s + (i + 1) * (i + 11), 0));
      k.rot(0, 80, 10, 0.6, 0.8);
      expect(f[0]).toBeCloseTo(0.6 * 1 - 0.8 * 11, 14);
      expect(f[10]).toBeCloseTo(0.8 * 1 + 0.6 * 11, 14);
      expect(f[9]).toBeCloseTo(0.6 * 10 - 0.8 * 20, 14);
    });
  }
});
