import { Engine, Gpt2Model, type KvCache } from '@captune/core';
import { checkpointConfig, checkpointSource } from '/work/main/packages/core/src/models/testing/checkpoint-files.js';
import { tinyGpt2Checkpoint } from '/work/main/packages/core/src/models/testing/tiny-gpt2.js';
import { onnxBackendProvider } from '/work/main/packages/backend-onnx/src/index.js';
const backend = await onnxBackendProvider.createOnnx('cpu');
const e = new Engine(backend);
const files = tinyGpt2Checkpoint({ seed: 3, vocabSize: 64, nEmbd: 16, nLayer: 2, nHead: 2, nPositions: 48 });
const lm = await Gpt2Model.load(e, { config: checkpointConfig(files), weights: checkpointSource(files) });
for (let pass = 0; pass < 2; pass++) {
  let ids = e.tensor(Int32Array.from([1, 2, 3]), [1, 3], 'int32');
  let cache: KvCache | null = null;
  const mask = [[1, 1, 1]];
  const t0 = performance.now();
  for (let s = 0; s < 10; s++) {
    const step = lm.step({ inputIds: ids, attentionMask: mask, cache });
    const next = e.tidy(() => e.argmax(step.logits, -1));
    const tok = Array.from(await e.read(next));
    e.dispose([ids, next, step.logits]);
    cache?.dispose();
    cache = step.cache;
    mask[0]!.push(1);
    ids = e.tensor(Int32Array.from(tok), [1, 1], 'int32');
  }
  console.log('pass', pass, (performance.now() - t0).toFixed(0), 'ms', JSON.stringify(backend.stats));
  cache?.dispose();
  e.dispose(ids);
}
