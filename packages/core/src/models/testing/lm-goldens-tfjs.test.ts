// The GPT-2 / OPT goldens on tfjs (wasm, float32): within 1e-4 of the float64 numpy reference.
// Lives in core beside the fixtures; imports the tfjs backend package by path (core does not
// depend on it), so it belongs in @captune/backend-tfjs once that package runs core's model tests.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { Backend } from '../../backend/backend.js';
import { Engine } from '../../engine/engine.js';
import { tfjsBackendProvider } from '../../../../backend-tfjs/src/index.js';
import { LM_FIXTURE_NAMES, LM_FIXTURES, runLmGoldens } from './lm-goldens.js';

describe('GPT-2 and OPT on tfjs wasm match the numpy goldens', () => {
  let backend: Backend;
  beforeAll(async () => {
    backend = await tfjsBackendProvider.create('wasm');
  });
  afterAll(async () => {
    await backend.close();
  });

  for (const name of LM_FIXTURE_NAMES) {
    it(name, async () => {
      const engine = new Engine(backend);
      const r = await runLmGoldens(engine, join(LM_FIXTURES, name));
      expect(r.singleMaxAbs).toBeLessThan(1e-4);
      expect(r.paddedMaxAbs).toBeLessThan(1e-4);
      expect(r.argmaxMismatches).toBe(0);
      expect(r.greedy).toEqual(r.expectedGreedy);
      expect(engine.liveTensors).toBe(0);
    });
  }
});
