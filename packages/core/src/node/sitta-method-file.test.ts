import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { SittaModel } from '../methods/sitta/sitta-captioner.js';
import { loadSittaModel, saveSittaModel } from './sitta-method-file.js';
import { writeSafetensors } from './safetensors-writer.js';

const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

const P = 3;
const E = 2;
function model(whiten?: Float64Array): SittaModel {
  return {
    source: 'pairs',
    map: { kind: 'sitta', method: 'procrustes', dIn: P, dOut: E, weight: Float64Array.of(1, 0, 0, 1, 0.5, -0.5), meanX: Float64Array.of(0.1, 0.2, 0.3), stdX: Float64Array.of(1, 2, 3) },
    lmStats: { mean: Float64Array.of(-1, 1), std: Float64Array.of(0.5, 2), ...(whiten ? { whiten } : {}) },
    tokenIds: Int32Array.of(5, 9, 11),
  };
}

describe('SITTA method file', () => {
  it('round-trips a model with and without the LM-space whitening', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'captune-sitta-file-'));
    dirs.push(dir);
    for (const whiten of [undefined, Float64Array.of(2, 0.25, 0.25, 3)]) {
      const path = join(dir, whiten ? 'w.safetensors' : 'z.safetensors');
      await saveSittaModel(path, model(whiten));
      const back = await loadSittaModel(path);
      expect(back.source).toBe('pairs');
      expect(back.map.method).toBe('procrustes');
      expect(Array.from(back.map.weight)).toEqual([1, 0, 0, 1, 0.5, -0.5]);
      expect(Array.from(back.lmStats.std)).toEqual([0.5, 2]);
      expect(back.lmStats.whiten ? Array.from(back.lmStats.whiten) : undefined).toEqual(whiten ? [2, 0.25, 0.25, 3] : undefined);
      expect(Array.from(back.tokenIds)).toEqual([5, 9, 11]);
    }
  });

  it('rejects a whitening matrix of the wrong shape, naming the tensor', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'captune-sitta-file-'));
    dirs.push(dir);
    const path = join(dir, 'bad.safetensors');
    const f32 = (...v: number[]) => Float32Array.from(v);
    await writeSafetensors(
      path,
      {
        W: { dtype: 'F32', shape: [P, E], data: f32(1, 0, 0, 1, 0, 0) },
        image_mean: { dtype: 'F32', shape: [P], data: f32(0, 0, 0) },
        image_std: { dtype: 'F32', shape: [P], data: f32(1, 1, 1) },
        lm_mean: { dtype: 'F32', shape: [E], data: f32(0, 0) },
        lm_std: { dtype: 'F32', shape: [E], data: f32(1, 1) },
        lm_whiten: { dtype: 'F32', shape: [E, P], data: f32(1, 0, 0, 0, 1, 0) },
        token_ids: { dtype: 'I32', shape: [1], data: Int32Array.of(0) },
      },
      { metadata: { format: 'captune-sitta', source: 'tokens', solver: 'ols' } },
    );
    await expect(loadSittaModel(path)).rejects.toThrow(/tensor "lm_whiten" has shape \[2, 3\], expected \[2, 2\]/);
  });
});
