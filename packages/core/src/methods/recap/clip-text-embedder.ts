/**
 * CLIP text embeddings of many texts, batched: `model.encodeTexts` (transformers'
 * `get_text_features`, openai/CLIP `encode_text`) per batch, read back to one host array.
 * ReCap embeds its datastore captions and candidates with it; SITTA its prompted tokens.
 */
import type { Engine } from '../../engine/engine.js';
import type { ClipModel } from '../../models/clip/clip-model.js';

/** texts → row-major [n, P] embeddings (not normalised). */
export type ClipTextEmbedder = (texts: readonly string[]) => Promise<Float32Array>;

export interface ClipTextEmbedderOptions {
  readonly engine: Engine;
  readonly model: ClipModel;
  /** Texts → id rows at the model's context length (ClipFolder.tokenize). */
  readonly tokenize: (texts: readonly string[]) => number[][];
  /** Texts per forward. @default 64 */
  readonly batchSize?: number;
  /** Called with the number of texts embedded after each batch. */
  readonly onBatch?: (n: number) => void;
}

export function clipTextEmbedder(o: ClipTextEmbedderOptions): ClipTextEmbedder {
  const bs = o.batchSize ?? 64;
  const P = o.model.config.projectionDim;
  return async (texts) => {
    const out = new Float32Array(texts.length * P);
    for (let s = 0; s < texts.length; s += bs) {
      const part = texts.slice(s, s + bs);
      const ids = o.tokenize(part);
      const embeds = o.engine.tidy(() => o.model.encodeTexts(ids).embeds); // [b, P]
      try {
        out.set((await o.engine.read(embeds)) as Float32Array, s * P);
      } finally {
        o.engine.dispose(embeds);
      }
      o.onBatch?.(part.length);
    }
    return out;
  };
}

/** Row-wise cosine of a [P] vector with each row of `rows` [n, P] (float64). */
export function cosineRows(v: ArrayLike<number>, rows: ArrayLike<number>, n: number): Float64Array {
  const P = v.length;
  let vn = 0;
  for (let j = 0; j < P; j++) vn += v[j]! * v[j]!;
  vn = Math.sqrt(vn);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let d = 0;
    let rn = 0;
    for (let j = 0; j < P; j++) {
      const r = rows[i * P + j]!;
      d += v[j]! * r;
      rn += r * r;
    }
    const den = vn * Math.sqrt(rn);
    out[i] = den > 0 ? d / den : 0;
  }
  return out;
}
