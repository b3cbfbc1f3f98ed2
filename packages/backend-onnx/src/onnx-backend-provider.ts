/**
 * The onnx `BackendProvider` and its inversify `ContainerModule` (core's
 * backend/backend-provider.ts). Devices in `auto` order: cuda → cpu → webgpu, each probed for
 * real: cuda only when onnxruntime-node lists the CUDA EP as installed, then a tiny session is
 * created on the device's execution provider — ORT never falls back silently from a requested
 * GPU here, so a device is available exactly when a session on it can be made.
 */
import { ContainerModule } from 'inversify';
import {
  BackendProvider,
  BackendUnavailableError,
  type Availability,
  type Backend,
  type DeviceName,
} from '@captune/core';
import { GraphBuilder } from './graph/graph-builder.js';
import { OnnxBackend, type OnnxBackendOptions } from './onnx-backend.js';
import { encodeOnnxModel, ONNX_IR_VERSION, ONNX_OPSET } from './proto/onnx-model.js';
import { EXECUTION_PROVIDER, loadOrt, ONNX_DEVICES, type OnnxDevice, type Ort } from './ort-runtime.js';

const REINSTALL_ORT = 'Reinstall dependencies (`pnpm install`); onnxruntime-node ships its CPU runtime in the npm tarball.';
const CUDA_REMEDY =
  'Install the CUDA EP: with network access and CUDA 12 + cuDNN 9, approve onnxruntime-node\'s install script (pnpm-workspace.yaml `onlyBuiltDependencies`) and run `ONNXRUNTIME_NODE_INSTALL=cuda12 pnpm rebuild onnxruntime-node` (see packages/backend-onnx/README.md).';
const WEBGPU_REMEDY = 'Needs a WebGPU adapter (a GPU with Vulkan/D3D12/Metal drivers); use device "cpu" otherwise.';

export type OnnxBackendTuning = Omit<OnnxBackendOptions, 'ort' | 'device'>;

export class OnnxBackendProvider implements BackendProvider {
  readonly name = 'onnx';
  readonly devices: readonly DeviceName[] = ONNX_DEVICES;
  private readonly probes = new Map<OnnxDevice, Promise<Availability>>();

  constructor(private readonly tuning: OnnxBackendTuning = {}) {}

  probe(device: DeviceName): Promise<Availability> {
    if (!isOnnxDevice(device)) return Promise.resolve(notDriven(device));
    let p = this.probes.get(device);
    if (!p) {
      p = probeDevice(device);
      this.probes.set(device, p);
    }
    return p;
  }

  async create(device: DeviceName): Promise<Backend> {
    return this.createOnnx(device);
  }

  /** `create` with the concrete type (stats, session counters). */
  async createOnnx(device: DeviceName, tuning: OnnxBackendTuning = {}): Promise<OnnxBackend> {
    if (!isOnnxDevice(device)) {
      const a = notDriven(device);
      throw new BackendUnavailableError(this.name, device, a.reason, a.remedy);
    }
    const a = await this.probe(device);
    if (!a.available) throw new BackendUnavailableError(this.name, device, a.reason, a.remedy);
    const r = await loadOrt();
    if (!r.ok) throw new BackendUnavailableError(this.name, device, r.reason, REINSTALL_ORT);
    return new OnnxBackend({ ...this.tuning, ...tuning, ort: r.ort, device });
  }
}

async function probeDevice(device: OnnxDevice): Promise<Availability> {
  const r = await loadOrt();
  if (!r.ok) return { available: false, reason: r.reason, remedy: REINSTALL_ORT };
  const ort = r.ort;
  if (device === 'cuda') {
    const listed = ort.listSupportedBackends().find((b) => b.name === 'cuda');
    if (!listed) return { available: false, reason: 'this onnxruntime-node build has no CUDA execution provider', remedy: CUDA_REMEDY };
    if (!listed.bundled && !(await cudaProviderInstalled())) {
      return { available: false, reason: 'the CUDA EP library (libonnxruntime_providers_cuda.so) is not installed: onnxruntime-node\'s install script did not run', remedy: CUDA_REMEDY };
    }
  }
  try {
    const session = await ort.InferenceSession.create(tinyModel(), { executionProviders: [EXECUTION_PROVIDER[device]], logSeverityLevel: 4 });
    const x = new ort.Tensor('float32', Float32Array.from([1, 2]), [2]);
    const y = (await session.run({ x })).y!.data as Float32Array;
    await session.release();
    if (y[0] !== 2 || y[1] !== 4) return { available: false, reason: `a test graph on the ${device} EP computed [${Array.from(y).join(', ')}], expected [2, 4]`, remedy: 'Report this as a bug.' };
    return { available: true, detail: `onnxruntime-node ${ort.env.versions.common}, ${EXECUTION_PROVIDER[device]} execution provider` };
  } catch (e) {
    // ORT prefixes its messages with a source location and the failed check; keep what follows.
    const msg = (e instanceof Error ? e.message : String(e)).split('\n')[0]!.replace(/^\/\S+:\d+ .*? was false\. /, '');
    return { available: false, reason: `ORT could not create a session on the ${device} EP: ${msg}`, remedy: device === 'cuda' ? CUDA_REMEDY : device === 'webgpu' ? WEBGPU_REMEDY : REINSTALL_ORT };
  }
}

/** Whether the CUDA EP shared library sits beside onnxruntime-node's binding. */
async function cudaProviderInstalled(): Promise<boolean> {
  const { createRequire } = await import('node:module');
  const { existsSync } = await import('node:fs');
  const { dirname, join } = await import('node:path');
  try {
    const pkg = createRequire(import.meta.url).resolve('onnxruntime-node/package.json');
    return existsSync(join(dirname(pkg), 'bin', 'napi-v6', process.platform, process.arch, 'libonnxruntime_providers_cuda.so'));
  } catch {
    return false;
  }
}

/** y = x + x, float [2]. */
function tinyModel(): Uint8Array {
  const g = new GraphBuilder();
  g.nodeTo('y', 'Add', ['x', 'x']);
  return encodeOnnxModel({
    irVersion: ONNX_IR_VERSION,
    opsetImports: [{ domain: '', version: ONNX_OPSET }],
    producerName: 'captune',
    producerVersion: '0.1.0',
    graph: {
      name: 'probe',
      nodes: g.nodes,
      inputs: [{ name: 'x', elemType: 'float', shape: [2] }],
      outputs: [{ name: 'y', elemType: 'float', shape: [2] }],
      initializers: [],
    },
  });
}

function isOnnxDevice(device: string): device is OnnxDevice {
  return (ONNX_DEVICES as readonly string[]).includes(device);
}

function notDriven(device: string): Availability & { available: false } {
  return { available: false, reason: `the onnx backend does not drive device "${device}"`, remedy: `Use one of: ${ONNX_DEVICES.join(', ')}.` };
}

export const onnxBackendProvider = new OnnxBackendProvider();

/** Binds the onnx provider to core's `BackendProvider` token. */
export const onnxBackendModule = new ContainerModule((options) => {
  options.bind<BackendProvider>(BackendProvider).toConstantValue(onnxBackendProvider);
});

export type { Ort };
