/**
 * `captune export-onnx`: writes standalone ONNX files for a model folder — CLIP's image and
 * text encoders, or GPT-2's decoder step with KV cache — with dynamic batch and sequence axes,
 * each checked structurally and against captune's own engine by a fresh ONNX Runtime session
 * (`@captune/backend-onnx`'s `exportOnnxFolder`; input/output names in its README).
 */
import { parseCommandArgs, UsageError, type Command } from '../command.js';

export const exportOnnxCommand: Command = {
  name: 'export-onnx',
  summary: 'Export a CLIP or GPT-2 model folder to standalone ONNX files, checked against the engine.',
  usage: 'captune export-onnx --model <folder> --out <dir> [--backend onnx] [--device cpu] [--no-validate] [--json]',
  help: `options:
  --model <folder>   Hugging Face model folder (config.json + model.safetensors):
                     model_type "clip" → vision_model.onnx, text_model.onnx;
                     model_type "gpt2" → decoder_model_merged.onnx (one step with KV cache)
  --out <dir>        output folder (created if missing); weights past 1.8 GB go to <file>.onnx.data
  --backend <name>   backend of the engine that computes the reference outputs (default: onnx)
  --device <name>    its device (default: auto)
  --no-validate      skip running each file against the engine
  --json             print [{"path", "bytes", "inputs", "outputs", "checks"}]
  -h, --help         show this help

The full ONNX checker needs Python: python -m onnx.checker <file>.onnx`,

  async run(argv) {
    const parsed = parseCommandArgs(this, argv, {
      model: { type: 'string' },
      out: { type: 'string' },
      backend: { type: 'string' },
      device: { type: 'string' },
      'no-validate': { type: 'boolean' },
      json: { type: 'boolean' },
    });
    if (!parsed) return 0;
    const { values, positionals } = parsed;
    if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
    const model = values.model as string | undefined;
    const out = values.out as string | undefined;
    if (!model) throw new UsageError('missing --model <folder>');
    if (!out) throw new UsageError('missing --out <dir>');
    const { BackendConfigSchema, createBackendRegistry, Engine } = await import('@captune/core');
    const { exportOnnxFolder } = await import('@captune/backend-onnx');
    const { backendModules } = await import('../backends.js');
    const config = BackendConfigSchema.safeParse({ backend: values.backend ?? 'onnx', device: values.device ?? 'auto' });
    if (!config.success) throw new UsageError(`invalid --backend/--device: ${config.error.issues[0]?.message ?? 'unknown value'}`);
    const backend = await createBackendRegistry(backendModules).create(config.data);
    try {
      const files = await exportOnnxFolder({ model, out, engine: new Engine(backend), validate: !values['no-validate'] });
      if (values.json) {
        process.stdout.write(`${JSON.stringify(files, null, 2)}\n`);
      } else {
        for (const f of files) {
          const size = `${(f.bytes / 1e6).toFixed(1)} MB${f.externalData ? ` + ${(f.externalData.bytes / 1e6).toFixed(1)} MB external data` : ''}`;
          process.stdout.write(`${f.path}  (${size})\n  inputs:  ${f.inputs.join(', ')}\n  outputs: ${f.outputs.join(', ')}\n`);
          for (const c of f.checks) process.stdout.write(`  check ${c.output}: max |onnx − engine| = ${c.maxAbsDiff.toExponential(2)} (tolerance ${c.tolerance.toExponential(1)})\n`);
        }
      }
      return 0;
    } finally {
      await backend.close();
    }
  },
};
