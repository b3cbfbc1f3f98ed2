/**
 * The tfjs `BackendProvider` and its inversify `ContainerModule` (core's
 * backend/backend-provider.ts): devices cuda → node → wasm → cpu, each probed by loading its
 * tfjs runtime (tfjs-runtime.ts) once per process.
 */
import { ContainerModule } from 'inversify';
import {
  BackendProvider,
  BackendUnavailableError,
  type Availability,
  type Backend,
  type DeviceName,
} from '@captune/core';
import { TfjsBackend } from './tfjs-backend.js';
import { TFJS_DEVICES, loadRuntime, type TfjsDevice } from './tfjs-runtime.js';

export class TfjsBackendProvider implements BackendProvider {
  readonly name = 'tfjs';
  readonly devices: readonly DeviceName[] = TFJS_DEVICES;

  async probe(device: DeviceName): Promise<Availability> {
    if (!isTfjsDevice(device)) return notDriven(device);
    const r = await loadRuntime(device);
    return r.ok
      ? { available: true, detail: r.runtime.detail }
      : { available: false, reason: r.reason, remedy: r.remedy };
  }

  async create(device: DeviceName): Promise<Backend> {
    if (!isTfjsDevice(device)) {
      const a = notDriven(device);
      throw new BackendUnavailableError(this.name, device, a.reason, a.remedy);
    }
    const r = await loadRuntime(device);
    if (!r.ok) throw new BackendUnavailableError(this.name, device, r.reason, r.remedy);
    return new TfjsBackend({ runtime: r.runtime, device });
  }
}

function isTfjsDevice(device: DeviceName): device is TfjsDevice {
  return (TFJS_DEVICES as readonly string[]).includes(device);
}

function notDriven(device: string): Availability & { available: false } {
  return {
    available: false,
    reason: `the tfjs backend does not drive device "${device}"`,
    remedy: `Use one of: ${TFJS_DEVICES.join(', ')}.`,
  };
}

export const tfjsBackendProvider = new TfjsBackendProvider();

/** Binds the tfjs provider to core's `BackendProvider` token. */
export const tfjsBackendModule = new ContainerModule((options) => {
  options.bind<BackendProvider>(BackendProvider).toConstantValue(tfjsBackendProvider);
});
