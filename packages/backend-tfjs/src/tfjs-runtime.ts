/**
 * Loads the TensorFlow.js namespace and tfjs backend behind each captune device:
 *   wasm → @tensorflow/tfjs-backend-wasm (tfjs backend "wasm")
 *   cpu  → @tensorflow/tfjs-backend-cpu  (tfjs backend "cpu")
 *   node → @tensorflow/tfjs-node         (tfjs backend "tensorflow", libtensorflow on the CPU)
 *   cuda → @tensorflow/tfjs-node-gpu     (tfjs backend "tensorflow", libtensorflow on CUDA)
 * Follows tfjs-node's own loader (tfjs-node/src/index.ts): the native addon lives at
 * `lib/napi-v<N>/tfjs_binding.node` and is written by the package's install script.
 *
 * tfjs has one global engine. tfjs-node re-exports tfjs-core (through @tensorflow/tfjs), so
 * for node/cuda we use the namespace tfjs-node exports; with one tfjs-core in the install
 * (the normal case) it is the same module as the one wasm/cpu use.
 */
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tfCore from '@tensorflow/tfjs-core';
import type { DeviceName } from '@captune/core';

export type TfNamespace = typeof tfCore;

/** The devices this package drives, in the order `device: "auto"` tries them. */
export const TFJS_DEVICES = [
  'cuda',
  'node',
  'wasm',
  'cpu',
] as const satisfies readonly DeviceName[];
export type TfjsDevice = (typeof TFJS_DEVICES)[number];

export interface TfjsRuntime {
  readonly tf: TfNamespace;
  /** The tfjs backend name the device runs on. */
  readonly tfBackend: 'wasm' | 'cpu' | 'tensorflow';
  /** One line about what was found (SIMD, GPU, package), for `captune doctor`. */
  readonly detail: string;
}

export type RuntimeResult =
  | { readonly ok: true; readonly runtime: TfjsRuntime }
  | { readonly ok: false; readonly reason: string; readonly remedy: string };

const NODE_PACKAGES = { node: '@tensorflow/tfjs-node', cuda: '@tensorflow/tfjs-node-gpu' } as const;
export type NativePackage = (typeof NODE_PACKAGES)[keyof typeof NODE_PACKAGES];

export const NATIVE_REMEDY: Record<'node' | 'cuda', string> = {
  node:
    'Install it with its native binary: pnpm add @tensorflow/tfjs-node and approve its build script (pnpm approve-builds); ' +
    'the build script needs network access to download libtensorflow.',
  cuda:
    'Install it with its native binary: pnpm add @tensorflow/tfjs-node-gpu and approve its build script (pnpm approve-builds); ' +
    'the build script needs network access to download libtensorflow, and the GPU needs an NVIDIA driver with CUDA 11.2 + cuDNN 8.1.',
};

const requireHere = createRequire(import.meta.url);
const loads = new Map<TfjsDevice, Promise<RuntimeResult>>();
/** Native packages whose import succeeded (only one may be loaded per process: both register "tensorflow"). */
const nativeLoaded = new Map<NativePackage, Promise<TfNamespace>>();

/** Loads (once per process) the runtime for `device`. Never throws. */
export function loadRuntime(device: TfjsDevice): Promise<RuntimeResult> {
  let p = loads.get(device);
  if (!p) {
    p = loadUncached(device).catch((e: unknown) =>
      fail(`unexpected error: ${oneLine(e)}`, 'Report this as a bug.'),
    );
    loads.set(device, p);
  }
  return p;
}

async function loadUncached(device: TfjsDevice): Promise<RuntimeResult> {
  switch (device) {
    case 'cpu': {
      await import('@tensorflow/tfjs-backend-cpu');
      const err = await initBackend(tfCore, 'cpu');
      if (err)
        return fail(err, 'Report this as a bug: the pure-JS cpu backend should always work.');
      return ok(tfCore, 'cpu', 'pure JavaScript kernels');
    }
    case 'wasm': {
      await import('@tensorflow/tfjs-backend-wasm');
      const err = await initBackend(tfCore, 'wasm');
      if (err)
        return fail(err, 'Use device "cpu", or run on a Node.js/browser with WebAssembly support.');
      const simd = await tfCore.env().getAsync('WASM_HAS_SIMD_SUPPORT');
      const threads = await tfCore.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
      return ok(
        tfCore,
        'wasm',
        `WebAssembly, ${simd ? 'SIMD' : 'no SIMD'}, ${threads ? 'multi-threaded' : 'one thread'}`,
      );
    }
    case 'node':
      return loadNative('node');
    case 'cuda':
      return loadNative('cuda');
  }
}

async function loadNative(device: 'node' | 'cuda'): Promise<RuntimeResult> {
  const pkg = NODE_PACKAGES[device];
  const other = NODE_PACKAGES[device === 'node' ? 'cuda' : 'node'];
  const remedy = NATIVE_REMEDY[device];
  let tf: TfNamespace;
  if (device === 'node' && nativeLoaded.has(other)) {
    // tfjs-node-gpu is loaded already (its GPU probe ran first): its TensorFlow runs CPU work too.
    tf = await nativeLoaded.get(other)!;
  } else {
    if (nativeLoaded.has(other)) {
      return fail(
        `${other} is already loaded in this process and ${pkg} cannot be loaded beside it`,
        'Use one of node/cuda per process.',
      );
    }
    const missing = missingAddon(pkg);
    if (missing) return fail(missing, remedy);
    let loading = nativeLoaded.get(pkg);
    if (!loading) {
      loading = importTfjsNative(pkg);
      nativeLoaded.set(pkg, loading);
      loading.catch(() => nativeLoaded.delete(pkg));
    }
    try {
      tf = await loading;
    } catch (e) {
      return fail(`cannot load ${pkg}: ${oneLine(e)}`, remedy);
    }
  }
  const err = await initBackend(tf, 'tensorflow');
  if (err) return fail(`${pkg}: ${err}`, remedy);
  const binding = tf.findBackend('tensorflow') as { isUsingGpuDevice?: boolean } | null;
  const onGpu = binding?.isUsingGpuDevice === true;
  if (device === 'cuda' && !onGpu) {
    return fail(
      `${pkg} loaded, but TensorFlow found no usable CUDA GPU (isUsingGpuDevice is false)`,
      remedy,
    );
  }
  const via = nativeLoaded.has('@tensorflow/tfjs-node-gpu') ? 'tfjs-node-gpu' : 'tfjs-node';
  return ok(
    tf,
    'tensorflow',
    `libtensorflow via ${via}, ${onGpu ? 'on a CUDA GPU' : 'on the CPU'}`,
  );
}

/** Imports tfjs-node or tfjs-node-gpu and returns the tfjs namespace it exports. */
export async function importTfjsNative(pkg: NativePackage): Promise<TfNamespace> {
  const specifier: string = pkg; // a plain string: the package is optional, so no static types
  const mod = (await import(specifier)) as { default?: unknown };
  // CommonJS: the module.exports object is `default`; it re-exports all of tfjs-core.
  const ns = (mod.default ?? mod) as TfNamespace;
  if (typeof ns.setBackend !== 'function') throw new Error(`${pkg} does not export the tfjs API`);
  return ns;
}

/**
 * Why `pkg`'s native addon cannot load, checked on disk before importing (a failed import of
 * tfjs-node still registers its kernels as a side effect), or null when it looks installed.
 */
function missingAddon(pkg: NativePackage): string | null {
  let pkgJson: string;
  try {
    pkgJson = requireHere.resolve(`${pkg}/package.json`);
  } catch {
    return `${pkg} is not installed`;
  }
  const lib = join(dirname(pkgJson), 'lib');
  const dirs = existsSync(lib) ? readdirSync(lib).filter((d) => d.startsWith('napi-v')) : [];
  if (dirs.some((d) => existsSync(join(lib, d, 'tfjs_binding.node')))) return null;
  return (
    `${pkg} is installed without its native addon (no lib/napi-v*/tfjs_binding.node): ` +
    'its install script, which downloads libtensorflow, did not run or failed'
  );
}

/** Initialises a registered tfjs backend (making it the active one); returns an error line or null. */
async function initBackend(tf: TfNamespace, name: string): Promise<string | null> {
  if (!tf.engine().registryFactory[name]) return `tfjs backend "${name}" is not registered`;
  try {
    const ok = await tf.setBackend(name);
    return ok ? null : `tfjs backend "${name}" failed to initialise`;
  } catch (e) {
    return `tfjs backend "${name}" failed to initialise: ${oneLine(e)}`;
  }
}

function ok(tf: TfNamespace, tfBackend: TfjsRuntime['tfBackend'], detail: string): RuntimeResult {
  return { ok: true, runtime: { tf, tfBackend, detail } };
}

function fail(reason: string, remedy: string): RuntimeResult {
  return { ok: false, reason, remedy };
}

/** The first line of an error's message, trimmed (tfjs-node's messages span several lines). */
export function oneLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return (msg.split('\n').find((l) => l.trim() !== '') ?? msg).trim().replace(/\.$/, '');
}
