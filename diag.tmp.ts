import { createBackendRegistry } from './packages/core/src/backend/backend-container.js';
import { captionLoss } from './packages/core/src/adapters/caption-loss.js';
import { ITuningAdapter } from './packages/core/src/adapters/ituning-adapter.js';
import { Engine } from './packages/core/src/engine/engine.js';
import { loadLanguageDecoderFolder } from './packages/core/src/models/load-language-decoder-folder.js';
import { loadTokenizer } from './packages/core/src/node/tokenizer-folder.js';
import { AdamW } from './packages/core/src/optim/adamw.js';
import { Rng } from './packages/core/src/random/rng.js';
import { tfjsBackendModule } from './packages/backend-tfjs/src/index.js';
const backend = await createBackendRegistry([tfjsBackendModule]).create({ backend: 'tfjs', device: 'wasm' });
const e = new Engine(backend);
const dir = process.env.DIR ?? 'packages/core/assets/shapes/gpt2';
const lm = await loadLanguageDecoderFolder(e, dir);
const tok = loadTokenizer(dir);
const caps = ['a large red circle', 'a small blue square', 'two green stars', 'a yellow triangle above a purple diamond'].map((c) => tok.encode(c));
// Random but distinct features per image.
const feats = e.tensor(new Rng(1).normalArray(4 * 17 * 64), [4, 17, 64]);
const a = new ITuningAdapter(e, { lmHidden: 48, visionHidden: 64, numLayers: 3 }, { bottleneck: Number(process.env.R ?? 32), initStd: Number(process.env.STD ?? 0.02), scale: Number(process.env.SCALE ?? 1) });
const opt = new AdamW(e, a.params, { lr: Number(process.env.LR ?? 0.01), weightDecay: 0 });
for (let s = 0; s < 60; s++) {
  const { value, grads } = e.valueAndGrads(() => captionLoss(lm, a, { tokens: feats }, { captions: caps }), a.params);
  if (s % 10 === 0) { let gn = 0; for (const g of grads) { const d = await e.read(g); for (const v of d) gn += v * v; } console.log(s, (await e.readScalar(value)).toFixed(3), 'gradnorm', Math.sqrt(gn).toExponential(2)); }
  opt.update(grads);
  e.dispose([value, ...grads]);
}
// Per-token NLL after training.
const cond = a.condition({ tokens: feats });
for (const [b, c] of caps.entries()) {
  const ids = [50256, ...c];
  const f1 = e.gather(feats, e.tensor([b], [1], 'int32'));
  const cd = a.condition({ tokens: f1 });
  const out = lm.forward({ inputIds: e.tensor(ids, [1, ids.length], 'int32'), useCache: false, ffnHook: cd.ffnHook(Int32Array.from([0])) });
  const lp = (await e.read(e.logSoftmax(lm.logits(out.hidden)))) as Float32Array;
  const tgt = [...c, 50256];
  console.log(tgt.map((t, i) => `${JSON.stringify(tok.decode([t]))}:${(-lp[i * 50257 + t]!).toFixed(2)}`).join(' '));
}
cond.dispose();
