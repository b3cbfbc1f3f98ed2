/**
 * Picks a backend and device from config, among the `BackendProvider`s bound in the
 * container, and explains any that cannot run (which, why, and how to get it).
 */
import { z } from 'zod';
import { BackendUnavailableError, CaptuneError } from '../errors/captune-error.js';
import type { Backend, DeviceName } from './backend.js';
import type { Availability, BackendProvider } from './backend-provider.js';

export const BackendConfigSchema = z
  .object({
    /** Which backend runs the ops. @default "tfjs" */
    backend: z.enum(['tfjs', 'onnx', 'webgpu', 'reference']).default('tfjs'),
    /** Which device; "auto" takes the first available in the backend's order. @default "auto" */
    device: z.enum(['auto', 'cpu', 'wasm', 'node', 'cuda', 'webgpu']).default('auto'),
  })
  .strict();
export type BackendConfig = z.infer<typeof BackendConfigSchema>;

export interface DeviceReport {
  readonly backend: string;
  readonly device: DeviceName;
  readonly availability: Availability;
}

export class BackendRegistry {
  constructor(private readonly providers: readonly BackendProvider[]) {}

  names(): string[] {
    return this.providers.map((p) => p.name);
  }

  provider(name: string): BackendProvider {
    const p = this.providers.find((x) => x.name === name);
    if (!p) {
      throw new CaptuneError(
        `unknown backend "${name}": known backends are ${this.names().map((n) => `"${n}"`).join(', ') || 'none (no backend module loaded)'}`,
      );
    }
    return p;
  }

  /** Every backend × device with its availability (what `captune doctor` prints). */
  async report(): Promise<DeviceReport[]> {
    const out: DeviceReport[] = [];
    for (const p of this.providers) {
      for (const device of p.devices) {
        out.push({ backend: p.name, device, availability: await safeProbe(p, device) });
      }
    }
    return out;
  }

  /** Resolves `device: "auto"` to the first available device of the backend. */
  async resolveDevice(config: BackendConfig): Promise<DeviceName> {
    const p = this.provider(config.backend);
    if (config.device !== 'auto') {
      if (!p.devices.includes(config.device)) {
        throw new BackendUnavailableError(
          p.name,
          config.device,
          `backend "${p.name}" does not drive device "${config.device}"`,
          `Use one of: ${p.devices.join(', ')}.`,
        );
      }
      return config.device;
    }
    const reasons: string[] = [];
    for (const device of p.devices) {
      const a = await safeProbe(p, device);
      if (a.available) return device;
      reasons.push(`${device}: ${a.reason}`);
    }
    throw new BackendUnavailableError(p.name, 'auto', `no device available (${reasons.join('; ')})`, 'Run `captune doctor` for details.');
  }

  /** Creates the configured backend, checking availability first. */
  async create(config: BackendConfig): Promise<Backend> {
    const parsed = BackendConfigSchema.parse(config);
    const p = this.provider(parsed.backend);
    const device = await this.resolveDevice(parsed);
    const a = await safeProbe(p, device);
    if (!a.available) throw new BackendUnavailableError(p.name, device, a.reason, a.remedy);
    return p.create(device);
  }
}

async function safeProbe(p: BackendProvider, device: DeviceName): Promise<Availability> {
  try {
    return await p.probe(device);
  } catch (e) {
    return {
      available: false,
      reason: `probe failed: ${e instanceof Error ? e.message : String(e)}`,
      remedy: 'Report this as a bug.',
    };
  }
}
