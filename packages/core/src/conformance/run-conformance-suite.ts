/**
 * The op conformance suite every backend runs (vitest): each case's forward pass and
 * gradients against the reference backend, core's gradients against float64 finite
 * differences, shape errors, and tensor freeing. A backend lists the cases it skips, with
 * reasons; unknown ids are an error so skips cannot silently rot.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../backend/backend.js';
import { Engine } from '../engine/engine.js';
import { ReferenceBackend } from '../reference/reference-backend.js';
import { ShapeError } from '../tensor/shape.js';
import { CONFORMANCE_CASES } from './cases/index.js';
import { checkFiniteDifferences, checkForward, checkGradients } from './checks.js';
import { DEFAULT_TOLERANCES, type ConformanceCase, type Tolerances } from './conformance-case.js';

export interface ConformanceSuiteOptions {
  /** Shown in the suite's title, e.g. "tfjs (wasm)". */
  readonly name: string;
  readonly createBackend: () => Promise<Backend>;
  /** Case id → why this backend skips it. */
  readonly skip?: Readonly<Record<string, string>>;
  /** Overrides of the default tolerances (cases may scale them further). */
  readonly tolerance?: Partial<Tolerances>;
  /**
   * Also check core's gradients against float64 finite differences on the reference. They do
   * not depend on the backend under test. @default true
   */
  readonly finiteDifferences?: boolean;
}

/** Throws when `skip` names a case that does not exist or gives no reason. */
export function validateSkips(
  skip: Readonly<Record<string, string>>,
  cases: readonly ConformanceCase[] = CONFORMANCE_CASES,
): void {
  const known = new Set(cases.map((c) => c.id));
  const unknown = Object.keys(skip).filter((id) => !known.has(id));
  if (unknown.length > 0) {
    throw new Error(
      `conformance: unknown case ids in skip: ${unknown.map((id) => `"${id}"`).join(', ')} (ids are listed by listConformanceCases())`,
    );
  }
  const blank = Object.entries(skip).filter(
    ([, reason]) => typeof reason !== 'string' || reason.trim() === '',
  );
  if (blank.length > 0) {
    throw new Error(
      `conformance: skipped cases need a reason: ${blank.map(([id]) => `"${id}"`).join(', ')}`,
    );
  }
}

/** Every case id, in suite order. */
export function listConformanceCases(): string[] {
  return CONFORMANCE_CASES.map((c) => c.id);
}

/** Cases used by the memory check: forward and backward through the ops models use most. */
const MEMORY_CASES = [
  'nn/attention-causal',
  'nn/layerNorm',
  'nn/cross-entropy',
  'indexing/topk',
  'indexing/gather-rows',
];

export function runConformanceSuite(options: ConformanceSuiteOptions): void {
  const skip = options.skip ?? {};
  validateSkips(skip);
  const tol: Tolerances = { ...DEFAULT_TOLERANCES, ...options.tolerance };

  describe(`op conformance: ${options.name}`, () => {
    let backend: Backend;
    let ut: Engine;
    const ref = new Engine(new ReferenceBackend());

    beforeAll(async () => {
      backend = await options.createBackend();
      ut = new Engine(backend);
    });
    afterAll(async () => {
      await backend?.close();
    });

    for (const c of CONFORMANCE_CASES) {
      describe(c.id, () => {
        const reason = skip[c.id];
        if (reason !== undefined) {
          it.skip(`skipped: ${reason}`, () => {});
          return;
        }
        it('forward matches the reference', () => checkForward(c, ut, ref, tol));
        if (c.grad) {
          it('gradients match the reference', () => checkGradients(c, ut, ref, tol));
          if (options.finiteDifferences ?? true) {
            it("core's gradients match float64 finite differences", () =>
              checkFiniteDifferences(c));
          }
        }
      });
    }

    describe('errors', () => {
      it('matmul with mismatched inner dimensions throws a ShapeError naming the op and shapes', () => {
        ut.tidy(() => {
          const a = ut.zeros([2, 3]);
          const b = ut.zeros([4, 5]);
          expect(() => ut.matmul(a, b)).toThrow(ShapeError);
          expect(() => ut.matmul(a, b)).toThrow(/^matmul: .*\[2, 3\].*\[4, 5\]/);
        });
      });
      it('add of shapes that do not broadcast throws a ShapeError naming the op and shapes', () => {
        ut.tidy(() => {
          const a = ut.zeros([2, 3]);
          const b = ut.zeros([4]);
          expect(() => ut.add(a, b)).toThrow(ShapeError);
          expect(() => ut.add(a, b)).toThrow(/^add: .*\[2, 3\].*\[4\]/);
        });
      });
    });

    describe('memory', () => {
      it('frees every tensor a tidy or a gradient computation created', async () => {
        const cases = MEMORY_CASES.filter((id) => skip[id] === undefined).map((id) =>
          CONFORMANCE_CASES.find((c) => c.id === id)!,
        );
        // Warm up once (a backend may cache constants on first use).
        for (const c of cases) await checkForward(c, ut, ref, tol);
        await backend.flush();
        const live = ut.liveTensors;
        const before = backend.memory().tensors;
        for (const c of cases) {
          await checkForward(c, ut, ref, tol);
          if (c.grad) await checkGradients(c, ut, ref, tol);
        }
        await backend.flush();
        expect(ut.liveTensors).toBe(live);
        if (before !== undefined) expect(backend.memory().tensors).toBe(before);
      });
    });
  });
}
