/**
 * How a backend package plugs in: it binds a `BackendProvider` to the `BackendProvider`
 * token in an inversify `ContainerModule`. The registry (backend-registry.ts) asks every
 * bound provider, picks one from config, and reports availability.
 */
import type { Backend, BackendName, DeviceName } from './backend.js';

export const BackendProvider = Symbol.for('captune.BackendProvider');

export type Availability =
  | { readonly available: true; readonly detail?: string }
  | {
      readonly available: false;
      /** Why it is unavailable, in one line (what failed). */
      readonly reason: string;
      /** How to get it, in one line (what to install or set). */
      readonly remedy: string;
    };

export interface BackendProvider {
  readonly name: BackendName | (string & {});
  /** Devices this backend can drive, in the order `device: "auto"` tries them. */
  readonly devices: readonly DeviceName[];
  /** Whether `device` works here. Never throws; cheap enough to call from `captune doctor`. */
  probe(device: DeviceName): Promise<Availability>;
  /** Creates an initialised backend on `device`. Throws `BackendUnavailableError` when it cannot. */
  create(device: DeviceName): Promise<Backend>;
}
