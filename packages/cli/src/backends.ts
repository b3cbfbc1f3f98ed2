/**
 * The CLI's composition root for backends: every backend module `captune` knows, in the order
 * `captune doctor` lists them. The real tfjs backend, core's reference backend (plain
 * TypeScript, float64 inside: exact ground truth for `--backend reference`), the onnx backend
 * (`@captune/backend-onnx`), plus a PLACEHOLDER provider for webgpu — replace it with
 * `@captune/backend-webgpu`'s module when that package lands.
 */
import { ContainerModule } from 'inversify';
import { onnxBackendModule } from '@captune/backend-onnx';
import { tfjsBackendModule } from '@captune/backend-tfjs';
import {
  referenceBackendModule,
  BackendProvider,
  BackendUnavailableError,
  type Availability,
  type Backend,
  type DeviceName,
} from '@captune/core';

const NOT_IMPLEMENTED = {
  available: false,
  reason: 'not implemented in this version of captune',
  remedy: 'use --backend tfjs',
} as const satisfies Availability;

/** PLACEHOLDER: a backend whose package does not exist yet; every device reports unavailable. */
class NotImplementedBackendProvider implements BackendProvider {
  constructor(
    readonly name: string,
    readonly devices: readonly DeviceName[],
  ) {}

  async probe(): Promise<Availability> {
    return NOT_IMPLEMENTED;
  }

  async create(device: DeviceName): Promise<Backend> {
    throw new BackendUnavailableError(
      this.name,
      device,
      NOT_IMPLEMENTED.reason,
      NOT_IMPLEMENTED.remedy,
    );
  }
}

function placeholderModule(name: string, devices: readonly DeviceName[]): ContainerModule {
  return new ContainerModule((options) => {
    options
      .bind<BackendProvider>(BackendProvider)
      .toConstantValue(new NotImplementedBackendProvider(name, devices));
  });
}

export const backendModules: readonly ContainerModule[] = [
  tfjsBackendModule,
  referenceBackendModule,
  onnxBackendModule,
  placeholderModule('webgpu', ['webgpu']), // PLACEHOLDER until @captune/backend-webgpu
];
