/**
 * Loads a model's frozen weights from a `TensorSource` by their Hugging Face names: finds which
 * name prefix the checkpoint uses (`transformer.` vs none for GPT-2, as transformers'
 * `PreTrainedModel._load_pretrained_model` tolerates via `base_model_prefix`), checks every
 * tensor's presence and shape before reading any data, then uploads each tensor once as a
 * non-trainable `Variable`. fp16/bf16 files arrive as float32 (the reader converts).
 */
import { CaptuneError } from '../../errors/captune-error.js';
import { missingTensorError, type TensorSource } from '../../checkpoint/tensor-source.js';
import type { Engine } from '../../engine/engine.js';
import type { Variable } from '../../engine/tensor.js';

/** A tensor a model needs: its name (without prefix) and the shape its config implies. */
export interface WeightSpec {
  readonly name: string;
  readonly shape: readonly number[];
}

/** Names a tensor source in errors: its file (the first shard, for sharded checkpoints). */
export function sourceName(source: TensorSource): string {
  const named = source as { path?: unknown; file?: unknown };
  if (typeof named.path === 'string') return named.path;
  if (typeof named.file === 'string') return named.file;
  const first = source.names()[0];
  return first === undefined ? 'checkpoint' : source.info(first).file;
}

/**
 * The first of `prefixes` under which the checkpoint has `probe`; throws the missing-tensor
 * error for `probe` under the first prefix when none matches.
 */
export function resolvePrefix(source: TensorSource, prefixes: readonly string[], probe: string, checkpoint: string): string {
  const found = prefixes.find((p) => source.has(p + probe));
  if (found !== undefined) return found;
  throw missingTensorError(checkpoint, `${prefixes[0] ?? ''}${probe}`, source.names());
}

const fmt = (shape: readonly number[]): string => `[${shape.join(', ')}]`;

/** Checks all specs exist under `prefix` with the expected shapes (reads headers only). */
export function checkWeights(source: TensorSource, prefix: string, specs: readonly WeightSpec[], checkpoint: string): void {
  for (const spec of specs) {
    const full = prefix + spec.name;
    if (!source.has(full)) throw missingTensorError(checkpoint, full, source.names());
    const info = source.info(full);
    const same = info.shape.length === spec.shape.length && info.shape.every((d, i) => d === spec.shape[i]);
    if (!same) {
      throw new CaptuneError(
        `${checkpoint}: tensor "${full}" has shape ${fmt(info.shape)}, expected ${fmt(spec.shape)} from the model's config.json`,
      );
    }
  }
}

/**
 * Checks, reads and uploads `specs` as frozen Variables named by their full checkpoint names.
 * Returns them keyed by the name without prefix. Frees what it uploaded if anything fails.
 */
export async function loadWeights(
  engine: Engine,
  source: TensorSource,
  specs: readonly WeightSpec[],
  options: { readonly prefix: string; readonly checkpoint: string },
): Promise<Map<string, Variable>> {
  const { prefix, checkpoint } = options;
  checkWeights(source, prefix, specs, checkpoint);
  const out = new Map<string, Variable>();
  try {
    for (const spec of specs) {
      const full = prefix + spec.name;
      const t = await source.read(full);
      if (t.dtype !== 'float32') {
        throw new CaptuneError(`${checkpoint}: tensor "${full}" is ${t.sourceDtype}, expected a floating-point weight`);
      }
      const uploaded = engine.tensor(t.data, [...spec.shape], 'float32');
      out.set(spec.name, engine.variable(uploaded, { trainable: false, name: full }));
    }
  } catch (error) {
    for (const v of out.values()) engine.dispose(v);
    throw error;
  }
  return out;
}

/** Looks up a loaded weight (a programming error if absent: specs and lookups disagree). */
export function weight(weights: ReadonlyMap<string, Variable>, name: string): Variable {
  const w = weights.get(name);
  if (!w) throw new Error(`weight "${name}" was not in the model's weight specs`);
  return w;
}
