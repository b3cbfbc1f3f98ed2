import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { Engine } from '../../engine/engine.js';
import { ReferenceBackend } from '../../reference/index.js';
import { LM_FIXTURE_NAMES, LM_FIXTURES, runLmGoldens } from './lm-goldens.js';

describe('GPT-2 and OPT on the reference backend match the numpy float64 goldens', () => {
  for (const name of LM_FIXTURE_NAMES) {
    it(name, async () => {
      const engine = new Engine(new ReferenceBackend());
      const before = engine.liveTensors;
      const r = await runLmGoldens(engine, join(LM_FIXTURES, name));
      expect(r.singleMaxAbs).toBeLessThan(1e-5);
      expect(r.paddedMaxAbs).toBeLessThan(1e-5);
      expect(r.argmaxMismatches).toBe(0);
      expect(r.greedy).toEqual(r.expectedGreedy);
      expect(engine.liveTensors).toBe(before);
    });
  }
});
