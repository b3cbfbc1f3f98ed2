/**
 * `--backend` / `--device` for model commands: validated with core's `BackendConfigSchema`
 * (a bad value is bad usage, exit 2) and created through the backend registry over the CLI's
 * backend modules (../backends.ts), so an unavailable backend or device fails with core's
 * one-line explanation of which, why and how to get it (exit 1).
 */
import type { Engine } from '@captune/core';
import { UsageError, type ParsedArgs } from '../command.js';

/** parseArgs options shared by every command that runs a model. */
export const BACKEND_OPTIONS = {
  backend: { type: 'string', short: 'b' },
  device: { type: 'string', short: 'd' },
} as const;

/** The `--help` lines of the two options, descriptions starting at `column`. */
export function backendHelp(column: number): string {
  const line = (flag: string, text: string) => `  ${flag}`.padEnd(column) + text;
  return [
    line(
      '-b, --backend B',
      'tfjs (default), reference (exact float64 ground truth, slow), onnx, webgpu',
    ),
    line(
      '-d, --device D',
      "auto (default: the backend's first available), cpu, wasm, node, cuda, webgpu",
    ),
  ].join('\n');
}

const BACKENDS = ['tfjs', 'onnx', 'webgpu', 'reference'] as const;
const DEVICES = ['auto', 'cpu', 'wasm', 'node', 'cuda', 'webgpu'] as const;

export interface BackendChoice {
  readonly backend: (typeof BACKENDS)[number];
  readonly device: (typeof DEVICES)[number];
}

/** Reads `--backend` / `--device` (defaults tfjs / auto); throws UsageError on unknown names. */
export function backendChoice(values: ParsedArgs['values']): BackendChoice {
  const backend = (values.backend as string | undefined) ?? 'tfjs';
  const device = (values.device as string | undefined) ?? 'auto';
  if (!(BACKENDS as readonly string[]).includes(backend)) {
    throw new UsageError(
      `--backend must be one of ${BACKENDS.join(', ')}, got ${JSON.stringify(backend)}`,
    );
  }
  if (!(DEVICES as readonly string[]).includes(device)) {
    throw new UsageError(
      `--device must be one of ${DEVICES.join(', ')}, got ${JSON.stringify(device)}`,
    );
  }
  return {
    backend: backend as BackendChoice['backend'],
    device: device as BackendChoice['device'],
  };
}

export interface OpenedEngine {
  readonly engine: Engine;
  /** "tfjs/wasm": what actually runs. */
  readonly target: string;
  close(): Promise<void>;
}

/** Creates the chosen backend through the registry and wraps it in an Engine. */
export async function openEngine(choice: BackendChoice): Promise<OpenedEngine> {
  const { createBackendRegistry, Engine, BackendConfigSchema } = await import('@captune/core');
  const { backendModules } = await import('../backends.js');
  const backend = await createBackendRegistry(backendModules).create(
    BackendConfigSchema.parse(choice),
  );
  return {
    engine: new Engine(backend),
    target: `${backend.name}/${backend.device}`,
    close: () => backend.close(),
  };
}

/** Runs `fn` with an engine on the chosen backend, closing the backend afterwards. */
export async function withEngine<T>(
  choice: BackendChoice,
  fn: (opened: OpenedEngine) => Promise<T>,
): Promise<T> {
  const opened = await openEngine(choice);
  try {
    return await fn(opened);
  } finally {
    await opened.close();
  }
}
