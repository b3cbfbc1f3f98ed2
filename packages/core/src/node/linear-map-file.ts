/**
 * Fitted linear maps on disk: one safetensors file (see alignment/linear-map-tensors.ts for
 * the layout), written atomically by writeSafetensors and read lazily by SafetensorsFile.
 */
import { linearMapFromTensors, linearMapTensors } from '../alignment/linear-map-tensors.js';
import type { LinearMap } from '../alignment/linear-map.js';
import { SafetensorsFile } from './safetensors-file.js';
import { writeSafetensors } from './safetensors-writer.js';

export async function saveLinearMap(path: string, map: LinearMap): Promise<void> {
  const { tensors, metadata } = linearMapTensors(map);
  await writeSafetensors(path, tensors, { metadata });
}

export async function loadLinearMap(path: string): Promise<LinearMap> {
  const file = await SafetensorsFile.open(path);
  try {
    return await linearMapFromTensors(path, file.metadata, (n) => file.has(n), (n) => file.readTensor(n));
  } finally {
    await file.close();
  }
}
