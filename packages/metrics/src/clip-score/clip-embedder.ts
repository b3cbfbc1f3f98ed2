/**
 * What the CLIP-based metrics need from a CLIP model, independent of any backend: projected
 * embeddings of image files and of texts (as openai/CLIP `encode_image` / `encode_text`, or
 * transformers' `get_image_features` / `get_text_features`). Raw or L2-normalised vectors are
 * both fine: the metrics normalise them (in float64) before every cosine.
 *
 * The alignment of ReCap (Paischer et al. 2024) is a linear map W [P, P] fitted in CLIP's joint
 * space from image embeddings to caption embeddings; aCLIP-S applies it to the image side.
 */

export interface ClipEmbedder {
  /** One embedding [P] per image file, in input order. */
  embedImages(paths: readonly string[]): Promise<Float32Array[]>;
  /** One embedding [P] per text, in input order (texts longer than the context are truncated). */
  embedTexts(texts: readonly string[]): Promise<Float32Array[]>;
}

/** A map applied to an image embedding before the cosine with a caption embedding. */
export interface EmbeddingAlignment {
  /** Input and output size P. */
  readonly dim: number;
  apply(v: Float32Array): Float32Array;
}

/** `v ↦ W · v` for a row-major W [P, P] (W[i][j] at `w[i * P + j]`). */
export function linearAlignment(w: Float32Array, dim: number): EmbeddingAlignment {
  if (w.length !== dim * dim) {
    throw new RangeError(`linearAlignment: W has ${w.length} values, expected ${dim}×${dim}`);
  }
  return {
    dim,
    apply(v: Float32Array): Float32Array {
      if (v.length !== dim) {
        throw new RangeError(`alignment: embedding has ${v.length} values, W expects ${dim}`);
      }
      const out = new Float32Array(dim); // [P]
      for (let i = 0; i < dim; i++) {
        let s = 0;
        const row = i * dim;
        for (let j = 0; j < dim; j++) s += w[row + j]! * v[j]!;
        out[i] = s;
      }
      return out;
    },
  };
}
