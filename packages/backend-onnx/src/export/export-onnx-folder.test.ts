// captune export-onnx on the committed tiny fixtures: tiny CLIP (both towers) and tiny GPT-2
// (decoder step with KV cache), each file loaded by a fresh ORT session and compared with the
// engine (on the reference backend), plus the structural checker and external data.
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaptuneError, Engine } from '@captune/core';
import { ReferenceBackend } from '@captune/core/conformance';
import { loadOrt } from '../ort-runtime.js';
import type { OnnxModel } from '../proto/onnx-model.js';
import { exportOnnxFolder } from './export-onnx-folder.js';
import { checkOnnxModel } from './onnx-checker.js';
import { writeOnnxModel } from './onnx-file-writer.js';

const MODELS = join(dirname(fileURLToPath(import.meta.url)), '../../../core/src/models/testing');
const TINY_CLIP = join(MODELS, 'tiny-clip');
const TINY_GPT2 = join(MODELS, 'fixtures/tiny-gpt2');

describe('export-onnx', () => {
  let out: string;
  beforeAll(async () => {
    out = await mkdtemp(join(tmpdir(), 'captune-onnx-export-'));
  });
  afterAll(async () => {
    await rm(out, { recursive: true, force: true });
  });

  it('exports the tiny CLIP towers, which match the engine', async () => {
    const e = new Engine(new ReferenceBackend());
    const files = await exportOnnxFolder({ model: TINY_CLIP, out: join(out, 'clip'), engine: e });
    expect(files.map((f) => f.path.split('/').pop())).toEqual(['vision_model.onnx', 'text_model.onnx']);
    expect(files[0]!.inputs).toEqual(['pixel_values']);
    expect(files[0]!.outputs).toEqual(['image_embeds', 'last_hidden_state']);
    expect(files[1]!.inputs).toEqual(['input_ids']);
    expect(files[1]!.outputs).toEqual(['text_embeds', 'last_hidden_state']);
    for (const f of files) {
      expect(f.checks.length).toBe(2);
      for (const c of f.checks) expect(c.maxAbsDiff).toBeLessThanOrEqual(c.tolerance);
    }
    expect(e.liveTensors).toBe(0);
  });

  it('exports the tiny GPT-2 decoder step with KV cache, which matches the engine over two steps', async () => {
    const e = new Engine(new ReferenceBackend());
    const [f] = await exportOnnxFolder({ model: TINY_GPT2, out: join(out, 'gpt2'), engine: e });
    const config = JSON.parse(await readFile(join(TINY_GPT2, 'config.json'), 'utf8')) as { n_layer: number };
    expect(f!.inputs.slice(0, 3)).toEqual(['input_ids', 'attention_mask', 'position_ids']);
    expect(f!.inputs.length).toBe(3 + 2 * config.n_layer);
    expect(f!.outputs).toEqual(['logits', ...Array.from({ length: config.n_layer }, (_, i) => [`present.${i}.key`, `present.${i}.value`]).flat()]);
    expect(f!.checks.map((c) => c.output)).toEqual(['logits (prompt step)', 'logits (cached step)', 'present.0.key (cached step)']);
    for (const c of f!.checks) expect(c.maxAbsDiff).toBeLessThanOrEqual(c.tolerance);
    // Dynamic axes: the session reports symbolic batch and sequence dimensions.
    const r = await loadOrt();
    if (!r.ok) throw new Error(r.reason);
    const s = await r.ort.InferenceSession.create(f!.path);
    const meta = s.inputMetadata.find((m) => m.name === 'input_ids') as unknown as { shape: (number | string)[] };
    expect(meta.shape).toEqual(['batch_size', 'sequence_length']);
    await s.release();
    expect(e.liveTensors).toBe(0);
  });

  it('writes weights as external data past the threshold, and the file still loads and matches', async () => {
    const e = new Engine(new ReferenceBackend());
    const [f] = await exportOnnxFolder({ model: TINY_GPT2, out: join(out, 'gpt2-external'), engine: e, externalDataThreshold: 1000 });
    expect(f!.externalData).toBeDefined();
    expect((await stat(f!.externalData!.path)).size).toBeGreaterThan(f!.bytes);
    for (const c of f!.checks) expect(c.maxAbsDiff).toBeLessThanOrEqual(c.tolerance);
  });

  it('refuses a folder of another model type with a one-line error', async () => {
    const e = new Engine(new ReferenceBackend());
    await expect(exportOnnxFolder({ model: join(MODELS, 'fixtures/tiny-opt'), out: join(out, 'opt'), engine: e })).rejects.toThrow(CaptuneError);
    await expect(exportOnnxFolder({ model: join(MODELS, 'fixtures/tiny-opt'), out: join(out, 'opt'), engine: e })).rejects.toThrow(/model_type "opt" cannot be exported/);
  });
});

describe('checkOnnxModel', () => {
  const base: OnnxModel = {
    irVersion: 9,
    opsetImports: [{ domain: '', version: 20 }],
    producerName: 't',
    producerVersion: '0',
    graph: {
      name: 'g',
      nodes: [{ opType: 'Add', inputs: ['x', 'w'], outputs: ['y'] }],
      inputs: [{ name: 'x', elemType: 'float', shape: ['n', 2] }],
      outputs: [{ name: 'y', elemType: 'float', shape: ['n', 2] }],
      initializers: [{ name: 'w', elemType: 'float', dims: [2], data: new Uint8Array(8) }],
    },
  };
  it('passes a well-formed model', () => {
    expect(checkOnnxModel(base)).toEqual([]);
  });
  it('finds undefined inputs, nodes out of order, reassigned values, missing outputs, bad sizes and opsets', () => {
    const bad: OnnxModel = {
      ...base,
      opsetImports: [],
      graph: {
        ...base.graph,
        nodes: [
          { opType: 'Relu', inputs: ['z'], outputs: ['y'] }, // z is defined later
          { opType: 'Neg', inputs: ['x'], outputs: ['z'] },
          { opType: 'Neg', inputs: ['x'], outputs: ['x'] },
        ],
        outputs: [{ name: 'missing', elemType: 'float', shape: [-1] }],
        initializers: [{ name: 'w', elemType: 'float', dims: [3], data: new Uint8Array(8) }],
      },
    };
    const problems = checkOnnxModel(bad).join('\n');
    expect(problems).toMatch(/no entry for the default ONNX domain/);
    expect(problems).toMatch(/reads "z", which no graph input, initializer or earlier node defines/);
    expect(problems).toMatch(/"x" is defined more than once/);
    expect(problems).toMatch(/graph output "missing" is never produced/);
    expect(problems).toMatch(/dimension 0 is -1/);
    expect(problems).toMatch(/"w" holds 8 bytes, its dims \[3\] need 12/);
  });
  it('accepts what writeOnnxModel writes and ORT loads', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'captune-onnx-check-'));
    const written = await writeOnnxModel(join(dir, 'm.onnx'), base);
    const r = await loadOrt();
    if (!r.ok) throw new Error(r.reason);
    const s = await r.ort.InferenceSession.create(written.path);
    const y = await s.run({ x: new r.ort.Tensor('float32', Float32Array.from([1, 2, 3, 4]), [2, 2]) });
    expect(Array.from(y.y!.data as Float32Array)).toEqual([1, 2, 3, 4]);
    await s.release();
    await rm(dir, { recursive: true, force: true });
  });
});
