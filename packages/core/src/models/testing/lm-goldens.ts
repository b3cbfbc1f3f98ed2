/**
 * Node: runs a language decoder on the inputs of a fixture folder's `goldens.json` (written by
 * scripts/numpy_lm_reference.py, a float64 numpy implementation of transformers' GPT-2 / OPT)
 * and measures how far captune is from it. Shared by the model tests of every backend.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Engine } from '../../engine/engine.js';
import type { KvCache } from '../kv-cache.js';
import type { LanguageDecoder } from '../language-decoder.js';
import { loadLanguageDecoderFolder } from '../load-language-decoder-folder.js';

/** The committed tiny checkpoints (Hugging Face model folders with goldens.json). */
export const LM_FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
export const LM_FIXTURE_NAMES = ['tiny-gpt2', 'tiny-gpt2-fp16', 'tiny-opt', 'tiny-opt-post-ln'] as const;

interface PaddedGolden {
  readonly input_ids: number[][];
  readonly attention_mask: number[][];
  readonly logsumexp: (number | null)[][];
  readonly argmax: (number | null)[][];
  readonly probe_logits: (number[] | null)[][];
}

export interface LmGoldens {
  readonly model_type: string;
  readonly probe_ids: number[];
  readonly single: { readonly input_ids: number[][]; readonly logits: number[][][] };
  readonly left_padded: PaddedGolden;
  readonly right_padded: PaddedGolden;
  readonly greedy: { readonly input_ids: number[][]; readonly attention_mask: number[][]; readonly tokens: number[][] };
}

export interface LmGoldenReport {
  /** Max |captune − golden| over the single sequence's logits (all positions, whole vocabulary). */
  readonly singleMaxAbs: number;
  /** Max |captune − golden| over probe logits and logsumexp at real positions of both padded batches. */
  readonly paddedMaxAbs: number;
  /** Real positions whose argmax differs. */
  readonly argmaxMismatches: number;
  readonly greedy: number[][];
  readonly expectedGreedy: number[][];
}

export async function readLmGoldens(folder: string): Promise<LmGoldens> {
  return JSON.parse(await readFile(join(folder, 'goldens.json'), 'utf8')) as LmGoldens;
}

async function checkPadded(lm: LanguageDecoder, g: PaddedGolden, probe: readonly number[]): Promise<{ maxAbs: number; mismatches: number }> {
  const e = lm.engine;
  const B = g.input_ids.length;
  const T = g.input_ids[0]!.length;
  const V = lm.config.vocabSize;
  const logits = e.tidy(() => {
    const ids = e.tensor(Int32Array.from(g.input_ids.flat()), [B, T], 'int32'); // [B, T]
    return lm.step({ inputIds: ids, attentionMask: g.attention_mask, logitsFor: 'all' }).logits; // [B, T, V]
  });
  const data = (await e.read(logits)) as Float32Array;
  e.dispose(logits);
  let maxAbs = 0;
  let mismatches = 0;
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      const expected = g.probe_logits[b]![t];
      if (!expected) continue;
      const row = data.subarray((b * T + t) * V, (b * T + t + 1) * V);
      let max = -Infinity;
      let arg = 0;
      row.forEach((v, i) => {
        if (v > max) [max, arg] = [v, i];
      });
      const lse = max + Math.log(row.reduce((s, v) => s + Math.exp(v - max), 0));
      maxAbs = Math.max(maxAbs, Math.abs(lse - g.logsumexp[b]![t]!));
      probe.forEach((id, j) => (maxAbs = Math.max(maxAbs, Math.abs(row[id]! - expected[j]!))));
      if (arg !== g.argmax[b]![t]) mismatches++;
    }
  }
  return { maxAbs, mismatches };
}

/** Greedy decoding with the KV cache, one token per step, extending the padding mask. */
async function greedy(lm: LanguageDecoder, g: LmGoldens['greedy'], steps: number): Promise<number[][]> {
  const e = lm.engine;
  const B = g.input_ids.length;
  const mask = g.attention_mask.map((row) => [...row]);
  const out: number[][] = Array.from({ length: B }, () => []);
  let ids = e.tensor(Int32Array.from(g.input_ids.flat()), [B, g.input_ids[0]!.length], 'int32');
  let cache: KvCache | null = null;
  for (let s = 0; s < steps; s++) {
    const step = lm.step({ inputIds: ids, attentionMask: mask, cache });
    const next = e.tidy(() => e.argmax(step.logits, -1)); // [B]
    const tokens = Array.from(await e.read(next));
    e.dispose([ids, next, step.logits]);
    cache?.dispose();
    cache = step.cache;
    tokens.forEach((tok, b) => {
      out[b]!.push(tok);
      mask[b]!.push(1);
    });
    ids = e.tensor(Int32Array.from(tokens), [B, 1], 'int32');
  }
  e.dispose(ids);
  cache?.dispose();
  return out;
}

/** Loads `folder` (a fixture) on `engine` and compares it with its goldens. */
export async function runLmGoldens(engine: Engine, folder: string): Promise<LmGoldenReport> {
  const g = await readLmGoldens(folder);
  const lm = await loadLanguageDecoderFolder(engine, folder);
  try {
    const single = g.single.input_ids;
    const logits = engine.tidy(() => {
      const ids = engine.tensor(Int32Array.from(single.flat()), [1, single[0]!.length], 'int32'); // [1, T]
      return lm.logits(lm.forward({ inputIds: ids, useCache: false }).hidden); // [1, T, V]
    });
    const data = await engine.read(logits);
    engine.dispose(logits);
    const expected = g.single.logits.flat(2);
    let singleMaxAbs = 0;
    expected.forEach((v, i) => (singleMaxAbs = Math.max(singleMaxAbs, Math.abs(v - data[i]!))));
    const left = await checkPadded(lm, g.left_padded, g.probe_ids);
    const right = await checkPadded(lm, g.right_padded, g.probe_ids);
    const tokens = await greedy(lm, g.greedy, g.greedy.tokens[0]!.length);
    return {
      singleMaxAbs,
      paddedMaxAbs: Math.max(left.maxAbs, right.maxAbs),
      argmaxMismatches: left.mismatches + right.mismatches,
      greedy: tokens,
      expectedGreedy: g.greedy.tokens,
    };
  } finally {
    lm.dispose();
  }
}
