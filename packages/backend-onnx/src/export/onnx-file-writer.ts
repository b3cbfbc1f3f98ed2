/**
 * Writes an ONNX model to disk. Protobuf messages cannot exceed 2 GB, so when the weights are
 * larger than `externalDataThreshold` every initializer of at least 1 KiB goes to
 * `<model>.onnx.data` beside the model (ONNX "external data": location, offset, length, with
 * offsets aligned to 4 KiB so runtimes can memory-map them).
 */
import { open, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { encodeOnnxModel, type OnnxModel, type OnnxTensor } from '../proto/onnx-model.js';

export interface WriteOnnxOptions {
  /** Total initializer bytes above which weights go to an external data file. @default 1.8 GB */
  readonly externalDataThreshold?: number;
}

export interface WrittenOnnx {
  readonly path: string;
  readonly bytes: number;
  /** The external data file, when one was written. */
  readonly externalData?: { readonly path: string; readonly bytes: number };
}

const ALIGN = 4096;
const MIN_EXTERNAL = 1024;

export async function writeOnnxModel(path: string, model: OnnxModel, options: WriteOnnxOptions = {}): Promise<WrittenOnnx> {
  const threshold = options.externalDataThreshold ?? 1.8e9;
  const inline = (t: OnnxTensor) => (t.data instanceof Uint8Array ? t.data.byteLength : 0);
  const total = model.graph.initializers.reduce((a, t) => a + inline(t), 0);
  if (total <= threshold) {
    const bytes = encodeOnnxModel(model);
    await writeFile(path, bytes);
    return { path, bytes: bytes.byteLength };
  }
  const location = `${basename(path)}.data`;
  const dataPath = join(dirname(path), location);
  const fh = await open(dataPath, 'w');
  let offset = 0;
  const initializers: OnnxTensor[] = [];
  try {
    for (const t of model.graph.initializers) {
      if (!(t.data instanceof Uint8Array) || t.data.byteLength < MIN_EXTERNAL) {
        initializers.push(t);
        continue;
      }
      offset = Math.ceil(offset / ALIGN) * ALIGN;
      await fh.write(t.data, 0, t.data.byteLength, offset);
      initializers.push({ ...t, data: { location, offset, length: t.data.byteLength } });
      offset += t.data.byteLength;
    }
  } finally {
    await fh.close();
  }
  const bytes = encodeOnnxModel({ ...model, graph: { ...model.graph, initializers } });
  await writeFile(path, bytes);
  return { path, bytes: bytes.byteLength, externalData: { path: dataPath, bytes: offset } };
}
