/**
 * ReCap's caption datastore: L2-normalised CLIP text embeddings [M, P] with their captions,
 * growable (the datastore-augmentation loop adds synthetic captions, flagged as such).
 * Embeddings live in one host Float32Array that doubles its capacity as rows are added.
 */
import { CaptuneError } from '../errors/captune-error.js';

export interface DatastoreIdentity {
  /** The CLIP checkpoint that embedded the captions, e.g. "openai/clip-vit-base-patch16". */
  readonly clipModel: string;
}

export interface AddCaptionsOptions {
  /** Mark the rows as synthetic (made by the model, not from the dataset). @default false */
  readonly synthetic?: boolean;
  /** L2-normalise the rows on the way in. @default true */
  readonly normalize?: boolean;
  /** Names the input in errors. */
  readonly source?: string;
}

export class CaptionDatastore {
  private data: Float32Array;
  private rows = 0;
  private readonly texts: string[] = [];
  private readonly flags: boolean[] = [];
  /** Bumped on every change (search indexes re-upload when it moves). */
  version = 0;

  constructor(
    readonly dim: number,
    readonly identity: DatastoreIdentity,
  ) {
    if (!Number.isInteger(dim) || dim < 1) throw new CaptuneError(`caption datastore: dim must be a positive integer, got ${dim}`);
    this.data = new Float32Array(dim * 16);
  }

  get size(): number {
    return this.rows;
  }

  /** Rows [start, end) of the embeddings (a view; do not keep it across `add`). */
  embeddings(start = 0, end = this.rows): Float32Array {
    return this.data.subarray(start * this.dim, end * this.dim);
  }

  caption(i: number): string {
    if (!(i >= 0 && i < this.rows)) throw new CaptuneError(`caption datastore: index ${i} out of range [0, ${this.rows})`);
    return this.texts[i]!;
  }

  isSynthetic(i: number): boolean {
    return this.flags[i] ?? false;
  }

  get captions(): readonly string[] {
    return this.texts;
  }

  get syntheticCount(): number {
    return this.flags.reduce((n, f) => n + (f ? 1 : 0), 0);
  }

  /** Appends `captions.length` rows; returns their index range. */
  add(embeddings: Float32Array, captions: readonly string[], options: AddCaptionsOptions = {}): { start: number; end: number } {
    const n = captions.length;
    const src = options.source ?? 'captions';
    if (embeddings.length !== n * this.dim) {
      throw new CaptuneError(`${src}: ${embeddings.length} embedding values for ${n} captions of dimension ${this.dim}`);
    }
    const start = this.rows;
    if ((start + n) * this.dim > this.data.length) {
      let cap = this.data.length;
      while (cap < (start + n) * this.dim) cap *= 2;
      const grown = new Float32Array(cap);
      grown.set(this.data.subarray(0, start * this.dim));
      this.data = grown;
    }
    const normalize = options.normalize ?? true;
    for (let r = 0; r < n; r++) {
      if (typeof captions[r] !== 'string') throw new CaptuneError(`${src}: caption ${r} is not a string`);
      let s = 0;
      for (let j = 0; j < this.dim; j++) {
        const v = embeddings[r * this.dim + j]!;
        if (!Number.isFinite(v)) throw new CaptuneError(`${src}: embedding of caption ${r} ("${captions[r]!.slice(0, 40)}") has a non-finite value at ${j}`);
        s += v * v;
      }
      if (normalize && !(s > 0)) throw new CaptuneError(`${src}: embedding of caption ${r} ("${captions[r]!.slice(0, 40)}") is all zeros`);
      const inv = normalize ? 1 / Math.sqrt(s) : 1;
      for (let j = 0; j < this.dim; j++) this.data[(start + r) * this.dim + j] = embeddings[r * this.dim + j]! * inv;
      this.texts.push(captions[r]!);
      this.flags.push(options.synthetic ?? false);
    }
    this.rows += n;
    this.version++;
    return { start, end: this.rows };
  }
}
