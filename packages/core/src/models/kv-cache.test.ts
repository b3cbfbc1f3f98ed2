import { describe, expect, it } from 'vitest';
import { Engine } from '../engine/engine.js';
import { CaptuneError } from '../errors/captune-error.js';
import { ReferenceBackend } from '../reference/index.js';
import { KvCache } from './kv-cache.js';

const seq = (n: number, f = (i: number) => i) => Float32Array.from({ length: n }, (_, i) => f(i));

describe('KvCache', () => {
  it('extends by concatenation along T, reorders rows by gather, and frees on dispose', async () => {
    const e = new Engine(new ReferenceBackend());
    // B = 2, H = 1, T = 1, D = 2
    const k0 = e.tensor(seq(4), [2, 1, 1, 2]);
    const v0 = e.tensor(seq(4, (i) => 10 + i), [2, 1, 1, 2]);
    const c1 = KvCache.fromLayers(e, [KvCache.extend(e, undefined, k0, v0)]);
    expect([c1.length, c1.batchSize, c1.numLayers]).toEqual([1, 2, 1]);
    const k1 = e.tensor(seq(4, (i) => 100 + i), [2, 1, 1, 2]);
    const c2 = KvCache.fromLayers(e, [KvCache.extend(e, c1.layer(0), k1, k1)]);
    expect(c2.length).toBe(2);
    expect(Array.from(await e.read(c2.layer(0).k))).toEqual([0, 1, 100, 101, 2, 3, 102, 103]);
    const r = c2.reorder(Int32Array.from([1, 1, 0]));
    expect(r.batchSize).toBe(3);
    expect(Array.from(await e.read(r.layer(0).k))).toEqual([2, 3, 102, 103, 2, 3, 102, 103, 0, 1, 100, 101]);
    expect(c2.disposed).toBe(false);
    const live = e.liveTensors;
    r.dispose();
    expect(r.disposed).toBe(true);
    expect(e.liveTensors).toBe(live - 2);
  });

  it('rejects mismatched layers, bad indices and missing layers', () => {
    const e = new Engine(new ReferenceBackend());
    const a = e.zeros([2, 1, 3, 2]);
    const b = e.zeros([2, 1, 4, 2]);
    expect(() => KvCache.fromLayers(e, [{ k: a, v: a }, { k: b, v: b }])).toThrow(CaptuneError);
    expect(() => KvCache.fromLayers(e, [])).toThrow(/at least one layer/);
    const c = KvCache.fromLayers(e, [{ k: a, v: a }]);
    expect(() => c.reorder(Int32Array.from([2]))).toThrow(/index 2 is outside the cache's 2 rows/);
    expect(() => c.reorder(e.zeros([1]))).toThrow(/must be int32 \[N\]/);
    expect(() => c.layer(1)).toThrow(/no layer 1/);
  });
});
