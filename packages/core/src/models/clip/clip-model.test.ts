/** CLIP on the reference backend (and tfjs wasm) against the numpy goldens for the tiny checkpoint. */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../backend/backend.js';
import { SafetensorsBuffer } from '../../checkpoint/safetensors-buffer.js';
import {
  serializeSafetensors,
  type TensorToWrite,
} from '../../checkpoint/safetensors-serialize.js';
import type { TensorSource } from '../../checkpoint/tensor-source.js';
import { Engine } from '../../engine/engine.js';
import type { Tensor } from '../../engine/tensor.js';
import { CaptuneError } from '../../errors/captune-error.js';
import { openCheckpoint } from '../../node/checkpoint-folder.js';
import { ReferenceBackend } from '../../reference/reference-backend.js';
import { ClipModel, l2Normalize } from './clip-model.js';
import { clipPoolIndices } from './clip-text.js';

const testing = join(dirname(fileURLToPath(import.meta.url)), '../testing');
const folder = join(testing, 'tiny-clip');

interface Packed {
  shape: number[];
  data: number[];
}
interface Goldens {
  inputs: { pixels: Packed; ids: number[][] };
  vision: Record<'lastHiddenState' | 'tokensPostLn' | 'pooled' | 'embeds', Packed>;
  text: Record<'lastHiddenState' | 'pooled' | 'embeds', Packed>;
  logitsPerImage: Packed;
}

let goldens: Goldens;
let config: unknown;

beforeAll(async () => {
  goldens = JSON.parse(await readFile(join(testing, 'tiny-clip-goldens.json'), 'utf8')) as Goldens;
  config = JSON.parse(await readFile(join(folder, 'config.json'), 'utf8'));
});

async function expectClose(e: Engine, t: Tensor, want: Packed, tol: number): Promise<void> {
  expect(t.shape).toEqual(want.shape);
  const got = await e.read(t);
  let worst = 0;
  want.data.forEach(
    (w, i) => (worst = Math.max(worst, Math.abs(got[i]! - w) / Math.max(1, Math.abs(w)))),
  );
  expect(worst).toBeLessThan(tol);
}

function runAgainstGoldens(name: string, makeBackend: () => Promise<Backend>, tol: number): void {
  describe(`tiny CLIP on ${name}`, () => {
    let engine: Engine;
    let model: ClipModel;
    let source: TensorSource;

    beforeAll(async () => {
      engine = new Engine(await makeBackend());
      source = await openCheckpoint(folder);
      model = await ClipModel.load(engine, source, config, { where: folder });
    });
    afterAll(async () => {
      model.dispose();
      await source.close();
    });

    it('matches the numpy vision forward', async () => {
      const pixels = engine.tensor(
        Float32Array.from(goldens.inputs.pixels.data),
        goldens.inputs.pixels.shape,
      );
      const out = model.encodeImages(pixels);
      for (const key of ['lastHiddenState', 'tokensPostLn', 'pooled', 'embeds'] as const) {
        await expectClose(engine, out[key], goldens.vision[key], tol);
      }
      engine.dispose([pixels, ...Object.values(out)]);
    });

    it('matches the numpy text forward and CLIP logits', async () => {
      const text = model.encodeTexts(goldens.inputs.ids);
      for (const key of ['lastHiddenState', 'pooled', 'embeds'] as const) {
        await expectClose(engine, text[key], goldens.text[key], tol);
      }
      const pixels = engine.tensor(
        Float32Array.from(goldens.inputs.pixels.data),
        goldens.inputs.pixels.shape,
      );
      const img = model.encodeImages(pixels);
      const logits = model.logitsPerImage(img.embeds, text.embeds);
      await expectClose(engine, logits, goldens.logitsPerImage, tol * 100); // exp(logit_scale) ≈ 14 scales the error
      const live = engine.liveTensors;
      const normed = l2Normalize(engine, img.embeds);
      const norms = await engine.read(engine.sum(engine.mul(normed, normed), -1));
      for (const n of norms) expect(n).toBeCloseTo(1, 5);
      expect(engine.liveTensors).toBe(live + 3); // normed, its square, the sum: l2Normalize keeps only its result
    });
  });
}

runAgainstGoldens('the reference backend', async () => new ReferenceBackend(), 1e-5);
// Test-only reach into the sibling package (core does not depend on it); skipped, visibly, if absent.
const tfjs = await import('../../../../backend-tfjs/src/index.js').catch(() => null);
if (tfjs) runAgainstGoldens('tfjs wasm', () => tfjs.tfjsBackendProvider.create('wasm'), 1e-4);
else
  describe.skip('tiny CLIP on tfjs wasm (packages/backend-tfjs not importable)', () =>
    it('skipped', () => {}));

describe('ClipModel loading', () => {
  const engine = new Engine(new ReferenceBackend());

  async function tinyTensors(): Promise<Record<string, TensorToWrite>> {
    const src = await openCheckpoint(folder);
    const out: Record<string, TensorToWrite> = {};
    for (const name of src.names()) {
      const t = await src.read(name);
      out[name] = { dtype: t.dtype === 'int32' ? 'I64' : 'F32', shape: t.shape, data: t.data };
    }
    await src.close();
    return out;
  }

  it('loads only the vision tower when asked, and frees what it loaded', async () => {
    const before = engine.liveTensors;
    const source = await openCheckpoint(folder);
    const model = await ClipModel.load(engine, source, config, { towers: 'vision' });
    expect(model.text).toBeNull();
    expect(model.vision?.numPatches).toBe(16);
    expect(() => model.encodeTexts([[1]])).toThrow(/text tower was not loaded/);
    // patch, class, position, pre-LN ×2, 2 layers × 16, post-LN ×2, projection.
    expect(engine.liveTensors - before).toBe(5 + 2 * 16 + 2 + 1);
    model.dispose();
    expect(engine.liveTensors).toBe(before);
    await source.close();
  });

  it('names a missing tensor in a one-line CaptuneError and frees the partial load', async () => {
    const tensors = await tinyTensors();
    delete tensors['vision_model.encoder.layers.1.mlp.fc2.bias'];
    const before = engine.liveTensors;
    const source = new SafetensorsBuffer(serializeSafetensors(tensors), 'broken.safetensors');
    const err = await ClipModel.load(engine, source, config, { where: 'broken.safetensors' }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(CaptuneError);
    expect((err as Error).message).toBe(
      'broken.safetensors: missing tensor "vision_model.encoder.layers.1.mlp.fc2.bias" (expected shape [32])',
    );
    expect(engine.liveTensors).toBe(before);
  });

  it('names a tensor whose shape disagrees with config.json', async () => {
    const tensors = await tinyTensors();
    tensors['text_projection.weight'] = {
      dtype: 'F32',
      shape: [8, 24],
      data: new Float32Array(8 * 24),
    };
    const source = new SafetensorsBuffer(serializeSafetensors(tensors), 'bad.safetensors');
    await expect(ClipModel.load(engine, source, config, { where: 'bad' })).rejects.toThrow(
      'bad: tensor "text_projection.weight" has shape [8, 24], expected [16, 24] from config.json',
    );
  });

  it('rejects pixels of the wrong size and ids outside the vocabulary', async () => {
    const source = await openCheckpoint(folder);
    const model = await ClipModel.load(engine, source, config);
    const wrong = engine.zeros([1, 3, 16, 16]);
    expect(() => model.encodeImages(wrong)).toThrow(
      'CLIP vision: pixels must be [B, 3, 32, 32], got [1, 3, 16, 16]',
    );
    expect(() => model.encodeTexts([[5, 99999]])).toThrow(
      /token id 99999 is outside the vocabulary/,
    );
    expect(() => model.encodeTexts([[5, 6]])).toThrow(
      /row 0 of the token ids has no end-of-text token/,
    );
    engine.dispose(wrong);
    model.dispose();
    await source.close();
  });
});

describe('clipPoolIndices', () => {
  it('takes the first end token, or the argmax id for legacy eos_token_id 2', () => {
    expect(clipPoolIndices([[9, 4, 7, 7, 0]], 7)).toEqual([2]);
    expect(
      clipPoolIndices(
        [
          [9, 4, 7, 0],
          [1, 8, 3, 8],
        ],
        2,
      ),
    ).toEqual([0, 1]);
  });
});
