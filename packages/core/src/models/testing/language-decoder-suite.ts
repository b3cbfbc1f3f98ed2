/**
 * The behaviour every `LanguageDecoder` family must show, as a vitest suite a family's test
 * calls with a tiny checkpoint of its own (reference backend, float64: exact comparisons):
 * cached decoding equals full recomputation, padding (left or right) does not change real
 * positions, cache reordering, `inputsEmbeds` ≡ `inputIds`, gradients reach hook and prefix
 * parameters only, no tape without trainable inputs, and no leaked tensors.
 */
import { describe, expect, it } from 'vitest';
import { Engine } from '../../engine/engine.js';
import type { Tensor } from '../../engine/tensor.js';
import { CaptuneError } from '../../errors/captune-error.js';
import { ReferenceBackend } from '../../reference/index.js';
import { Rng } from '../../random/rng.js';
import type { KvCache } from '../kv-cache.js';
import type { LanguageDecoder } from '../language-decoder.js';
import { loadLanguageDecoder } from '../load-language-decoder.js';
import { checkpointConfig, checkpointSource, type CheckpointFiles } from './checkpoint-files.js';

const TOL = 1e-5;

export async function loadFiles(engine: Engine, files: CheckpointFiles): Promise<LanguageDecoder> {
  return loadLanguageDecoder(engine, { config: checkpointConfig(files), weights: checkpointSource(files) });
}

async function values(e: Engine, t: Tensor): Promise<number[]> {
  return Array.from(await e.read(t));
}

function maxAbsDiff(a: readonly number[], b: readonly number[]): number {
  expect(a.length).toBe(b.length);
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);
}

const ids = (e: Engine, rows: number[][]): Tensor => e.tensor(Int32Array.from(rows.flat()), [rows.length, rows[0]!.length], 'int32');

/** Logits [T, V] of one unpadded sequence, all positions, no cache. */
async function fullLogits(lm: LanguageDecoder, seq: number[]): Promise<number[][]> {
  const e = lm.engine;
  const t = e.tidy(() => lm.logits(lm.forward({ inputIds: ids(e, [seq]), useCache: false }).hidden)); // [1, T, V]
  const flat = await values(e, t);
  e.dispose(t);
  const V = lm.config.vocabSize;
  return seq.map((_, i) => flat.slice(i * V, (i + 1) * V));
}

export function languageDecoderSuite(label: string, makeFiles: () => CheckpointFiles): void {
  describe(`${label}: LanguageDecoder behaviour`, () => {
    const files = makeFiles();
    const setup = async () => {
      const engine = new Engine(new ReferenceBackend());
      return { engine, lm: await loadFiles(engine, files) };
    };
    const rng = new Rng(7);
    const seqA = Array.from({ length: 6 }, () => rng.int(250));
    const seqB = Array.from({ length: 3 }, () => rng.int(250));

    it('decoding one token at a time with the cache equals recomputing the whole sequence', async () => {
      const { engine: e, lm } = await setup();
      const full = await fullLogits(lm, seqA);
      let cache: KvCache | null = null;
      // Chunks of 3, 2 and 1 positions.
      for (const [start, end] of [[0, 3], [3, 5], [5, 6]] as const) {
        const step = lm.step({ inputIds: ids(e, [seqA.slice(start, end)]), cache, logitsFor: 'all' });
        const got = await values(e, step.logits);
        const want = full.slice(start, end).flat();
        expect(maxAbsDiff(got, want)).toBeLessThan(TOL);
        cache?.dispose();
        cache = step.cache;
        expect(cache.length).toBe(end);
      }
      cache?.dispose();
    });

    it('left and right padding give the logits of the unpadded sequences at real positions', async () => {
      const { engine: e, lm } = await setup();
      const pad = lm.config.padTokenId;
      const wantA = await fullLogits(lm, seqA);
      const wantB = await fullLogits(lm, seqB);
      const n = seqA.length - seqB.length;
      const V = lm.config.vocabSize;
      for (const side of ['left', 'right'] as const) {
        const rowB = side === 'left' ? [...Array(n).fill(pad), ...seqB] : [...seqB, ...Array(n).fill(pad)];
        const maskB = side === 'left' ? [...Array(n).fill(0), ...seqB.map(() => 1)] : [...seqB.map(() => 1), ...Array(n).fill(0)];
        const { logits, cache } = lm.step({ inputIds: ids(e, [seqA, rowB]), attentionMask: [seqA.map(() => 1), maskB], logitsFor: 'all' });
        const flat = await values(e, logits); // [2, T, V]
        expect(flat.every(Number.isFinite)).toBe(true);
        const row = (b: number, t: number) => flat.slice((b * seqA.length + t) * V, (b * seqA.length + t + 1) * V);
        seqA.forEach((_, t) => expect(maxAbsDiff(row(0, t), wantA[t]!)).toBeLessThan(TOL));
        const offset = side === 'left' ? n : 0;
        seqB.forEach((_, t) => expect(maxAbsDiff(row(1, t + offset), wantB[t]!)).toBeLessThan(TOL));
        if (side === 'left') {
          // Continue both rows by one token with the cache: equals the unpadded continuation.
          const next = lm.step({ inputIds: ids(e, [[5], [9]]), attentionMask: [[...seqA.map(() => 1), 1], [...maskB, 1]], cache });
          const got = await values(e, next.logits); // [2, V]
          expect(maxAbsDiff(got.slice(0, V), (await fullLogits(lm, [...seqA, 5]))[seqA.length]!)).toBeLessThan(TOL);
          expect(maxAbsDiff(got.slice(V), (await fullLogits(lm, [...seqB, 9]))[seqB.length]!)).toBeLessThan(TOL);
          next.cache.dispose();
        }
        cache.dispose();
      }
    });

    it('reorderCache gathers cache rows (beam search) and leaves the old cache valid', async () => {
      const { engine: e, lm } = await setup();
      const seqC = seqA.map((t) => (t + 11) % 250);
      const first = lm.step({ inputIds: ids(e, [seqA, seqC]) });
      const beams = lm.reorderCache(first.cache, Int32Array.from([1, 0, 1]));
      expect(beams.batchSize).toBe(3);
      const next = lm.step({ inputIds: ids(e, [[3], [4], [5]]), cache: beams });
      const got = await values(e, next.logits); // [3, V]
      const V = lm.config.vocabSize;
      const expected = [
        (await fullLogits(lm, [...seqC, 3]))[6]!,
        (await fullLogits(lm, [...seqA, 4]))[6]!,
        (await fullLogits(lm, [...seqC, 5]))[6]!,
      ];
      expected.forEach((want, b) => expect(maxAbsDiff(got.slice(b * V, (b + 1) * V), want)).toBeLessThan(TOL));
      expect(first.cache.disposed).toBe(false);
      const again = lm.reorderCache(first.cache, e.tensor(Int32Array.from([0]), [1], 'int32'));
      expect(again.batchSize).toBe(1);
      for (const c of [first.cache, beams, next.cache, again]) c.dispose();
    });

    it('forward from inputsEmbeds equals forward from inputIds, and accepts a prepended prefix', async () => {
      const { engine: e, lm } = await setup();
      const byIds = await fullLogits(lm, seqA);
      const E = lm.config.embedSize;
      const logits = e.tidy(() => {
        const emb = lm.embedTokens(ids(e, [seqA])); // [1, T, E]
        const prefix = e.tensor(new Rng(3).normalArray(2 * E, 0.5), [1, 2, E]); // [1, 2, E]
        const h = lm.forward({ inputsEmbeds: e.concat([prefix, emb], 1), useCache: false }).hidden; // [1, 2 + T, E]
        return [lm.logits(lm.forward({ inputsEmbeds: emb, useCache: false }).hidden), h];
      });
      expect(logits[1].shape).toEqual([1, seqA.length + 2, E]);
      expect(maxAbsDiff(await values(e, logits[0]), byIds.flat())).toBeLessThan(TOL);
      e.dispose(logits);
    });

    it('gradients reach trainable hook and prefix parameters, never the frozen weights', async () => {
      const { engine: e, lm } = await setup();
      const C = lm.config.hiddenSize;
      const E = lm.config.embedSize;
      const r = new Rng(11);
      const w = e.variable(e.tensor(r.normalArray(C * C, 0.1), [C, C]), { name: 'adapter.w' }); // [C, C]
      const prefix = e.variable(e.tensor(r.normalArray(2 * E, 0.1), [1, 2, E]), { name: 'prefix' }); // [1, 2, E]
      const seen: number[] = [];
      const hook = (layer: number, ffnIn: Tensor, ffnOut: Tensor) => {
        seen.push(layer);
        return e.add(ffnOut, e.linear(ffnIn, w)); // [B, T, C]
      };
      const labels = e.tensor(Int32Array.from([...seqA.slice(1), 0, 0, 0]), [seqA.length + 2], 'int32');
      const loss = () => {
        const emb = e.concat([prefix, lm.embedTokens(ids(e, [seqA]))], 1); // [1, 2 + T, E]
        const h = lm.forward({ inputsEmbeds: emb, ffnHook: hook, useCache: false }).hidden; // [1, 2 + T, E]
        const logits = e.reshape(lm.logits(h), [-1, lm.config.vocabSize]); // [2 + T, V]
        return e.mean(e.softmaxCrossEntropy(logits, labels));
      };
      const before = e.liveTensors;
      const { value, grads } = e.valueAndGrads(loss, [w, prefix]);
      expect(seen).toEqual(Array.from({ length: lm.config.numLayers }, (_, i) => i));
      expect(grads).toHaveLength(2);
      for (const g of grads) expect((await values(e, g)).some((v) => v !== 0)).toBe(true);
      // Only the loss and the two gradients outlive the call: no gradient tensors for frozen weights.
      expect(e.liveTensors).toBe(before + 3);
      expect(lm.weights.every((v) => !v.trainable && !v.requiresGrad)).toBe(true);
      expect(() => e.valueAndGrads(loss, [lm.weights[0]!])).toThrow(/not trainable/);
      // Central difference on one adapter entry (reference backend computes in float64).
      const g0 = (await values(e, grads[0]!))[5]!;
      const at = async (delta: number) => {
        const data = Float32Array.from(await values(e, w));
        data[5]! += delta;
        e.assign(w, e.tensor(data, [C, C]));
        const v = e.tidy(() => loss());
        const out = (e.backend as ReferenceBackend).readF64(v)[0]!; // unrounded float64
        e.dispose(v);
        return out;
      };
      const eps = 1e-3;
      const numeric = ((await at(eps)) - (await at(-2 * eps))) / (2 * eps);
      expect(Math.abs(numeric - g0)).toBeLessThan(1e-5 + 1e-2 * Math.abs(g0));
      e.dispose([value, ...grads, w, prefix, labels]);
    });

    it('records no tape when nothing trainable is involved, and leaks no tensors', async () => {
      const { engine: e, lm } = await setup();
      const live = e.liveTensors;
      const p = e.variable(e.scalar(1), { name: 'p' });
      const { value, grads } = e.valueAndGrads(() => {
        const h = lm.forward({ inputIds: ids(e, [seqA]), useCache: false }).hidden; // [1, T, E]
        expect(h.requiresGrad).toBe(false);
        return e.add(e.sum(h), p);
      }, [p]);
      e.dispose([value, ...grads, p]);
      const step = lm.step({ inputIds: ids(e, [seqA]) });
      expect(step.logits.requiresGrad).toBe(false);
      e.dispose(step.logits);
      step.cache.dispose();
      expect(e.liveTensors).toBe(live + 1); // the ids tensor uploaded outside tidy
    });

    it('rejects bad inputs with one-line errors', async () => {
      const { engine: e, lm } = await setup();
      const x = ids(e, [seqA]);
      const bad = (f: () => unknown, re: RegExp) => {
        let err: unknown;
        try {
          f();
        } catch (error) {
          err = error;
        }
        expect(err).toBeInstanceOf(CaptuneError);
        expect((err as Error).message).toMatch(re);
        expect((err as Error).message).not.toContain('\n');
      };
      bad(() => lm.step({ inputIds: x, attentionMask: [[1, 1]] }), /attentionMask: row 0 has 2 entries, expected 6/);
      bad(() => lm.step({ inputIds: x, attentionMask: [[1, 1], [1, 1]] }), /attentionMask: has 2 rows, expected 1/);
      bad(() => lm.step({}), /exactly one of inputIds and inputsEmbeds/);
      bad(() => lm.step({ inputIds: x, ffnHook: (_l, inp) => e.slice(inp, [0, 0, 0], [1, 1, -1]) }), /FFN hook of layer 0 returned/);
      const long = e.zeros([1, lm.config.maxPositions + 1], 'int32');
      bad(() => lm.step({ inputIds: long }), /position \d+ is beyond the model's \d+ positions/);
      bad(() => lm.embedTokens(e.zeros([2, 2])), /token ids must be int32/);
    });
  });
}
