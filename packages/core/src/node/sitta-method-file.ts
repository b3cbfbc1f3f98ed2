/**
 * SITTA's fitted model on disk: one safetensors file with `W` F32 [P, E] (row-vector map on
 * z-scored image embeddings), `image_mean` / `image_std` [P], `lm_mean` / `lm_std` [E] (the
 * LM-side z-scoring), `lm_whiten` [E, E] when the LM space is whitened, and `token_ids` I32 [K]
 * (the word vocabulary); metadata
 * `{format: "captune-sitta", source, solver}`.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { FIT_METHODS } from '../alignment/linear-map.js';
import { CaptuneError } from '../errors/captune-error.js';
import type { SittaModel } from '../methods/sitta/sitta-captioner.js';
import { SafetensorsFile } from './safetensors-file.js';
import { writeSafetensors } from './safetensors-writer.js';

export const SITTA_FILE = 'sitta/alignment.safetensors';

export async function saveSittaModel(path: string, model: SittaModel): Promise<void> {
  const { map } = model;
  if (!map.meanX || !map.stdX || map.bias) throw new CaptuneError('SITTA: the map must z-score its input and have no bias');
  const f32 = (x: ArrayLike<number>) => Float32Array.from(x);
  await mkdir(dirname(path), { recursive: true });
  await writeSafetensors(
    path,
    {
      W: { dtype: 'F32', shape: [map.dIn, map.dOut], data: f32(map.weight) },
      image_mean: { dtype: 'F32', shape: [map.dIn], data: f32(map.meanX) },
      image_std: { dtype: 'F32', shape: [map.dIn], data: f32(map.stdX) },
      lm_mean: { dtype: 'F32', shape: [map.dOut], data: f32(model.lmStats.mean) },
      lm_std: { dtype: 'F32', shape: [map.dOut], data: f32(model.lmStats.std) },
      ...(model.lmStats.whiten ? { lm_whiten: { dtype: 'F32' as const, shape: [map.dOut, map.dOut], data: f32(model.lmStats.whiten) } } : {}),
      token_ids: { dtype: 'I32', shape: [model.tokenIds.length], data: model.tokenIds },
    },
    { metadata: { format: 'captune-sitta', source: model.source, solver: map.method } },
  );
}

export async function loadSittaModel(path: string): Promise<SittaModel> {
  if (!existsSync(path)) throw new CaptuneError(`${path}: no such file (fit first: captune fit --method sitta)`);
  const file = await SafetensorsFile.open(path);
  try {
    const meta = file.metadata;
    if (meta.format !== 'captune-sitta') throw new CaptuneError(`${path}: not a SITTA model file (metadata "format" is ${JSON.stringify(meta.format)})`);
    const source = meta.source === 'pairs' ? 'pairs' : meta.source === 'tokens' ? 'tokens' : null;
    if (!source) throw new CaptuneError(`${path}: metadata "source" must be "tokens" or "pairs"`);
    const method = FIT_METHODS.find((m) => m === meta.solver);
    if (!method) throw new CaptuneError(`${path}: metadata "solver" must be one of ${FIT_METHODS.join(', ')}`);
    const read = async (name: string, shape: readonly number[] | null) => {
      if (!file.has(name)) throw new CaptuneError(`${path}: no tensor "${name}"`);
      const t = await file.readTensor(name);
      if (shape && (t.shape.length !== shape.length || t.shape.some((s, i) => s !== shape[i]))) throw new CaptuneError(`${path}: tensor "${name}" has shape [${t.shape.join(', ')}], expected [${shape.join(', ')}]`);
      return t;
    };
    const w = await read('W', null);
    if (w.shape.length !== 2) throw new CaptuneError(`${path}: tensor "W" must be a matrix`);
    const [dIn, dOut] = w.shape as [number, number];
    const f64 = async (name: string, n: number) => Float64Array.from((await read(name, [n])).data);
    const ids = await read('token_ids', null);
    if (!(ids.data instanceof Int32Array)) throw new CaptuneError(`${path}: tensor "token_ids" must be I32`);
    return {
      source,
      map: { kind: 'sitta', method, dIn, dOut, weight: Float64Array.from(w.data), meanX: await f64('image_mean', dIn), stdX: await f64('image_std', dIn) },
      lmStats: {
        mean: await f64('lm_mean', dOut),
        std: await f64('lm_std', dOut),
        ...(file.has('lm_whiten') ? { whiten: Float64Array.from((await read('lm_whiten', [dOut, dOut])).data) } : {}),
      },
      tokenIds: ids.data,
    };
  } finally {
    await file.close();
  }
}
