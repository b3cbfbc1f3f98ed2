import { describe, expect, it } from 'vitest';
import { Engine } from '../../engine/engine.js';
import { CaptuneError } from '../../errors/captune-error.js';
import { ReferenceBackend } from '../../reference/index.js';
import { checkpointConfig, editCheckpoint, type CheckpointFiles } from '../testing/checkpoint-files.js';
import { languageDecoderSuite, loadFiles } from '../testing/language-decoder-suite.js';
import { tinyGpt2Checkpoint } from '../testing/tiny-gpt2.js';
import { Gpt2Model } from './gpt2-model.js';

languageDecoderSuite('GPT-2', () => tinyGpt2Checkpoint({ seed: 5 }));
languageDecoderSuite('GPT-2 (scale_attn_by_inverse_layer_idx, erf gelu, n_inner)', () =>
  tinyGpt2Checkpoint({ seed: 6, scaleAttnByInverseLayerIdx: true, activation: 'gelu', nInner: 48, nLayer: 3 }),
);

async function loadError(files: CheckpointFiles): Promise<string> {
  const engine = new Engine(new ReferenceBackend());
  const err = await loadFiles(engine, files).then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(err).toBeInstanceOf(CaptuneError);
  expect(engine.liveTensors).toBe(0);
  const message = (err as Error).message;
  expect(message).not.toContain('\n');
  return message;
}

describe('GPT-2 checkpoint loading', () => {
  it('accepts the transformer. prefix and none, ignoring attn.bias buffers and a tied lm_head', async () => {
    const logits: number[][] = [];
    for (const prefix of ['', 'transformer.']) {
      const engine = new Engine(new ReferenceBackend());
      const files = tinyGpt2Checkpoint({ seed: 9, prefix, maskBuffers: true, lmHead: true });
      const lm = await loadFiles(engine, files);
      expect(lm).toBeInstanceOf(Gpt2Model);
      expect(lm.weights).toHaveLength(2 + 12 * 2 + 2);
      expect(lm.weights.map((w) => w.name)).toContain(`${prefix}h.1.mlp.c_fc.weight`);
      const t = engine.tidy(() => lm.step({ inputIds: engine.tensor(Int32Array.from([1, 2, 3]), [1, 3], 'int32') }).logits);
      logits.push(Array.from(await engine.read(t)));
      lm.dispose();
      engine.dispose(t);
    }
    expect(logits[0]).toEqual(logits[1]);
  });

  it('uses an untied lm_head.weight when tie_word_embeddings is false', async () => {
    const files = tinyGpt2Checkpoint({ seed: 9, lmHead: true });
    const config = { ...(checkpointConfig(files) as object), tie_word_embeddings: false };
    const untied = editCheckpoint({ ...files, 'config.json': JSON.stringify(config) }, (t) => {
      t['lm_head.weight'] = { ...t['lm_head.weight']!, data: t['lm_head.weight']!.data.map((v) => 2 * v) as Float32Array };
    });
    const engine = new Engine(new ReferenceBackend());
    const read = async (f: CheckpointFiles) => {
      const lm = await loadFiles(engine, f);
      const t = engine.tidy(() => lm.step({ inputIds: engine.tensor(Int32Array.from([4, 5]), [1, 2], 'int32') }).logits);
      const out = Array.from(await engine.read(t));
      lm.dispose();
      return out;
    };
    const tied = await read(files);
    const doubled = await read(untied);
    tied.forEach((v, i) => expect(doubled[i]).toBeCloseTo(2 * v, 4));
  });

  it('names the missing tensor and the checkpoint in one line', async () => {
    const files = editCheckpoint(tinyGpt2Checkpoint(), (t) => delete t['h.1.mlp.c_fc.weight']);
    expect(await loadError(files)).toMatch(/^model\.safetensors: no tensor named "h\.1\.mlp\.c_fc\.weight"/);
    const noWte = editCheckpoint(tinyGpt2Checkpoint(), (t) => delete t['wte.weight']);
    expect(await loadError(noWte)).toMatch(/no tensor named "transformer\.wte\.weight"/);
  });

  it('names the tensor, expected and actual shapes when a shape does not match config.json', async () => {
    const files = editCheckpoint(tinyGpt2Checkpoint(), (t) => {
      t['h.0.attn.c_attn.weight'] = { dtype: 'F32', shape: [96, 32], data: t['h.0.attn.c_attn.weight']!.data };
    });
    expect(await loadError(files)).toBe(
      'model.safetensors: tensor "h.0.attn.c_attn.weight" has shape [96, 32], expected [32, 96] from the model\'s config.json',
    );
  });

  it('reports config errors by key', async () => {
    const files = tinyGpt2Checkpoint();
    const bad = { ...files, 'config.json': JSON.stringify({ ...(checkpointConfig(files) as object), n_head: 5 }) };
    expect(await loadError(bad)).toMatch(/config\.json: n_embd \(32\) must be divisible by n_head \(5\)/);
  });
});
