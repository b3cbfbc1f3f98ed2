/**
 * Frozen image-encoder outputs for dataset records, as host arrays, from wherever they are
 * kept (a feature cache on disk written by `captune extract`, or computed on the fly). The
 * trainer and evaluator read batches from a FeatureSource and upload them.
 */
export interface ImageFeatures {
  /** [N · Cv] row-major: every vision-transformer output token (I-Tuning reads these). */
  readonly tokens?: Float32Array;
  /** [P]: the projected CLIP image embedding (ClipCap, ReCap, SITTA read this). */
  readonly embeds?: Float32Array;
}

export interface FeatureSource {
  /** [N, Cv] of `tokens`, when stored. */
  readonly tokenShape: readonly [number, number] | null;
  /** P of `embeds`, when stored. */
  readonly embedDim: number | null;
  /** Features of the records with these ids, in order. Throws a CaptuneError naming a missing id. */
  read(ids: readonly string[]): Promise<ImageFeatures[]>;
}
