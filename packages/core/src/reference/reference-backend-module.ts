/**
 * The inversify module that plugs the reference backend into the container
 * (backend/backend-container.ts), so config `backend: "reference"` finds it.
 */
import { ContainerModule } from 'inversify';
import { BackendProvider } from '../backend/backend-provider.js';
import { ReferenceBackendProvider } from './reference-backend-provider.js';

export const referenceBackendModule = new ContainerModule(({ bind }) => {
  bind<BackendProvider>(BackendProvider).toConstantValue(new ReferenceBackendProvider());
});
