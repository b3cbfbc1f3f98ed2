/**
 * Where the I-Tuning adapter looked for each generated token: the teacher-forced forward of
 * [BOS, t1 … t(n−1)] with the adapter's attention captured; the last adapter layer's
 * cross-attention [1, h, T, N] at position i (which predicts t(i+1)) averaged over heads gives
 * token i's weights over the N vision tokens (I-Tuning paper, Figure 3).
 */
import type { ITuningAdapter } from '../adapters/ituning-adapter.js';
import type { Tensor } from '../engine/tensor.js';
import { CaptuneError } from '../errors/captune-error.js';
import type { LanguageDecoder } from '../models/language-decoder.js';

/** One Float32Array [N] per generated token, for one image (tokens [1, N, Cv]). */
export async function tokenAttention(
  decoder: LanguageDecoder,
  adapter: ITuningAdapter,
  tokens: Tensor,
  generated: readonly number[],
): Promise<Float32Array[]> {
  if (generated.length === 0) return [];
  if (tokens.rank !== 3 || tokens.shape[0] !== 1)
    throw new CaptuneError(
      `tokenAttention: needs the vision tokens of one image [1, N, Cv], got [${tokens.shape.join(', ')}]`,
    );
  const e = decoder.engine;
  const last = Math.max(...adapter.adaptedLayers);
  const ids = [decoder.config.bosTokenId, ...generated.slice(0, -1)];
  const T = ids.length;
  let captured: Tensor | null = null;
  e.tidy(() => {
    const cond = adapter.condition({ tokens }, (layer, w) => {
      // w [1, h, T, N]: averaged over heads and kept past the decoder's own tidy scopes.
      if (layer === last) captured = e.keep(e.mean(w, 1)); // [1, T, N]
    });
    decoder.forward({
      inputIds: e.tensor(Int32Array.from(ids), [1, T], 'int32'),
      useCache: false,
      ffnHook: cond.ffnHook(Int32Array.from([0])),
    });
    cond.dispose();
  });
  if (!captured) throw new CaptuneError('tokenAttention: the adapter reported no attention');
  const weights: Tensor = captured;
  const data = (await e.read(weights)) as Float32Array;
  e.dispose(weights);
  const N = tokens.shape[1]!;
  return Array.from({ length: T }, (_, t) => data.slice(t * N, (t + 1) * N));
}
