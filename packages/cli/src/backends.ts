/**
 * The CLI's composition root for backends: every backend module `captune` knows, in the order
 * `captune doctor` lists them. The real tfjs backend, plus PLACEHOLDER providers for onnx and
 * webgpu — replace each placeholder with its package's module (`@captune/backend-onnx`,
 * `@captune/backend-webgpu`) when those packages land.
 */
import { ContainerModule } from 'inversify';
import { tfjsBackendModule } from '@captune/backend-tfjs';
import {
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
  placeholderModule('onnx', ['cpu', 'cuda', 'webgpu']), // PLACEHOLDER until @captune/backend-onnx
  placeholderModule('webgpu', ['webgpu']), // PLACEHOLDER until @captune/backend-webgpu
];
