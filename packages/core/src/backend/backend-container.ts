/**
 * The container edge: load backend modules, get the registry. Model and pipeline code
 * never sees the container; they take a `Backend` (or an `Engine`) as an argument.
 */
import { Container, type ContainerModule } from 'inversify';
import { BackendProvider } from './backend-provider.js';
import { BackendRegistry } from './backend-registry.js';

export function createBackendRegistry(modules: readonly ContainerModule[]): BackendRegistry {
  const container = new Container();
  for (const m of modules) void container.load(m);
  const providers = container.isBound(BackendProvider) ? container.getAll<BackendProvider>(BackendProvider) : [];
  return new BackendRegistry(providers);
}
