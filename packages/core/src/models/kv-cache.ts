/**
 * A decoder's key/value cache, independent of the model family: per layer, keys and values of
 * every position seen so far, [B, H, T, D], kept on the device. Follows the role of Hugging
 * Face's `DynamicCache` (transformers `cache_utils.py`), but as an immutable value: `append` and
 * `reorder` return a new cache and leave this one valid, so the caller decides when the old one
 * is freed (`dispose`). That keeps `tidy` and the gradient tape safe: nothing a recorded forward
 * still needs is freed behind its back.
 */
import { CaptuneError } from '../errors/captune-error.js';
import type { Engine } from '../engine/engine.js';
import type { Tensor } from '../engine/tensor.js';

/** One layer's keys and values (a type alias, not an interface, so `tidy` can return it). */
export type LayerKv = {
  /** [B, H, T, D] */
  readonly k: Tensor;
  /** [B, H, T, D] */
  readonly v: Tensor;
};

export class KvCache {
  // A private field, not a property: `tidy` walks a returned object's properties to find
  // tensors to keep, and must not walk into the engine.
  readonly #engine: Engine;

  /** Use `KvCache.fromLayers`; every layer must hold [B, H, T, D] with the same B and T. */
  private constructor(
    engine: Engine,
    /** Per layer, in order. */
    readonly layers: readonly LayerKv[],
  ) {
    this.#engine = engine;
  }

  static fromLayers(engine: Engine, layers: readonly LayerKv[]): KvCache {
    if (layers.length === 0) throw new CaptuneError('KvCache: needs at least one layer');
    const [b, , t] = layers[0]!.k.shape;
    layers.forEach(({ k, v }, i) => {
      const ok = k.rank === 4 && v.rank === 4 && k.shape[0] === b && k.shape[2] === t && v.shape[0] === b && v.shape[2] === t;
      if (!ok) {
        throw new CaptuneError(
          `KvCache: layer ${i} holds k [${k.shape.join(', ')}] and v [${v.shape.join(', ')}]; every layer needs [${b}, H, ${t}, D]`,
        );
      }
    });
    return new KvCache(engine, layers);
  }

  /** Cached positions (T). */
  get length(): number {
    return this.layers[0]!.k.shape[2]!;
  }

  /** Rows (B): sequences, or sequences × beams. */
  get batchSize(): number {
    return this.layers[0]!.k.shape[0]!;
  }

  get numLayers(): number {
    return this.layers.length;
  }

  layer(i: number): LayerKv {
    const kv = this.layers[i];
    if (!kv) throw new CaptuneError(`KvCache: no layer ${i} (the cache has ${this.layers.length})`);
    return kv;
  }

  /**
   * Keys and values of `layer` with new positions appended (concat along T). Does not change
   * this cache; a model collects one result per layer into `KvCache.fromLayers`.
   */
  static extend(engine: Engine, past: LayerKv | undefined, k: Tensor, v: Tensor): LayerKv {
    if (!past) return { k, v };
    return {
      k: engine.concat([past.k, k], 2), // [B, H, Tpast + T, D]
      v: engine.concat([past.v, v], 2), // [B, H, Tpast + T, D]
    };
  }

  /**
   * A new cache whose row i is row `indices[i]` of this one (beam search: gather along the
   * batch axis). `indices` is int32 [N] (a tensor or host array); N may differ from B.
   */
  reorder(indices: Tensor | Int32Array): KvCache {
    const e = this.#engine;
    const b = this.batchSize;
    if (indices instanceof Int32Array) {
      for (const i of indices) {
        if (!Number.isInteger(i) || i < 0 || i >= b) throw new CaptuneError(`KvCache.reorder: index ${i} is outside the cache's ${b} rows`);
      }
    } else if (indices.dtype !== 'int32' || indices.rank !== 1) {
      throw new CaptuneError(`KvCache.reorder: indices must be int32 [N], got ${indices.dtype} [${indices.shape.join(', ')}]`);
    }
    const layers = e.tidy(() => {
      const idx = indices instanceof Int32Array ? e.tensor(indices, [indices.length], 'int32') : indices; // [N]
      return this.layers.map(({ k, v }) => ({
        k: e.gather(k, idx), // [N, H, T, D]
        v: e.gather(v, idx), // [N, H, T, D]
      }));
    });
    return new KvCache(e, layers);
  }

  /** Frees every tensor of the cache (tensors shared with another cache are freed too). */
  dispose(): void {
    for (const { k, v } of this.layers) this.#engine.dispose([k, v]);
  }

  get disposed(): boolean {
    return this.layers.some(({ k, v }) => k.disposed || v.disposed);
  }
}
