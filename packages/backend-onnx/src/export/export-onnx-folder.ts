/**
 * `captune export-onnx`: a Hugging Face model folder → standalone ONNX files (weights as
 * initializers; external data past 2 GB), each checked structurally (onnx-checker.ts) and
 * against the engine by a fresh ONNX Runtime session (export-validation.ts).
 *   CLIP (model_type "clip"): vision_model.onnx, text_model.onnx (clip-graphs.ts)
 *   GPT-2 (model_type "gpt2"): decoder_model_merged.onnx, a decoder step with KV cache (gpt2-decoder-graph.ts)
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CaptuneError, ClipModel, Gpt2Model, type Engine } from '@captune/core';
import { loadLanguageDecoderFolder, openCheckpoint } from '@captune/core/node';
import type { OnnxModel } from '../proto/onnx-model.js';
import { loadOrt } from '../ort-runtime.js';
import { clipTextGraph, clipVisionGraph } from './clip-graphs.js';
import { checkClipTextExport, checkClipVisionExport, checkGpt2Export, type OutputCheck } from './export-validation.js';
import { gpt2DecoderGraph } from './gpt2-decoder-graph.js';
import { checkOnnxModel } from './onnx-checker.js';
import { writeOnnxModel, type WriteOnnxOptions } from './onnx-file-writer.js';

export interface ExportOnnxOptions extends WriteOnnxOptions {
  /** The model folder (config.json + model.safetensors). */
  readonly model: string;
  /** Where the .onnx files go (created if missing). */
  readonly out: string;
  /** The engine that loads the model and computes the reference outputs. */
  readonly engine: Engine;
  /** Compare each file with the engine. @default true */
  readonly validate?: boolean;
}

export interface ExportedFile {
  readonly path: string;
  readonly bytes: number;
  readonly externalData?: { readonly path: string; readonly bytes: number };
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly checks: readonly OutputCheck[];
}

export async function exportOnnxFolder(options: ExportOnnxOptions): Promise<ExportedFile[]> {
  const configFile = join(options.model, 'config.json');
  let config: { model_type?: unknown };
  try {
    config = JSON.parse(await readFile(configFile, 'utf8')) as { model_type?: unknown };
  } catch (error) {
    throw new CaptuneError(`${configFile}: cannot read the model config: ${(error as Error).message.split('\n')[0]}`);
  }
  const r = await loadOrt();
  if (!r.ok) throw new CaptuneError(`export-onnx: ${r.reason}`);
  const ort = r.ort;
  await mkdir(options.out, { recursive: true });
  const e = options.engine;
  const files: ExportedFile[] = [];
  const emit = async (name: string, model: OnnxModel, check: (path: string) => Promise<OutputCheck[]>) => {
    const problems = checkOnnxModel(model);
    if (problems.length > 0) throw new CaptuneError(`export-onnx: ${name} fails the structural check: ${problems[0]} (${problems.length} problems)`);
    const written = await writeOnnxModel(join(options.out, name), model, options);
    const checks = options.validate === false ? [] : await check(written.path);
    const bad = checks.find((c) => !(c.maxAbsDiff <= c.tolerance));
    if (bad) throw new CaptuneError(`export-onnx: ${name} output "${bad.output}" differs from the engine by ${bad.maxAbsDiff} (tolerance ${bad.tolerance})`);
    files.push({ ...written, inputs: model.graph.inputs.map((i) => i.name), outputs: model.graph.outputs.map((o) => o.name), checks });
  };
  if (config.model_type === 'clip') {
    const source = await openCheckpoint(options.model);
    let clip: ClipModel;
    try {
      clip = await ClipModel.load(e, source, config, { where: options.model });
    } finally {
      await source.close();
    }
    try {
      await emit('vision_model.onnx', await clipVisionGraph(e, clip), (p) => checkClipVisionExport(ort, p, e, clip));
      await emit('text_model.onnx', await clipTextGraph(e, clip), (p) => checkClipTextExport(ort, p, e, clip));
    } finally {
      clip.dispose();
    }
  } else if (config.model_type === 'gpt2') {
    const lm = await loadLanguageDecoderFolder(e, options.model);
    try {
      if (!(lm instanceof Gpt2Model)) throw new CaptuneError(`${configFile}: model_type "gpt2" did not load as GPT-2`);
      await emit('decoder_model_merged.onnx', await gpt2DecoderGraph(e, lm), (p) => checkGpt2Export(ort, p, e, lm));
    } finally {
      lm.dispose();
    }
  } else {
    throw new CaptuneError(`${configFile}: model_type ${JSON.stringify(config.model_type)} cannot be exported; export-onnx supports "clip" (image and text encoders) and "gpt2" (decoder with KV cache)`);
  }
  return files;
}
