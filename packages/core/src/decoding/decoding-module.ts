/**
 * The decoding strategies, bound in the container under the `DecoderSearch` token. A user adds
 * one by loading another `ContainerModule` that binds a `DecoderSearch` with a new name.
 */
import { Container, ContainerModule } from 'inversify';
import { CaptuneError } from '../errors/captune-error.js';
import { BeamSearch } from './beam-search.js';
import { DecoderSearch } from './decoder-search.js';
import { GreedySearch } from './greedy-search.js';
import { SamplingSearch } from './sampling-search.js';

export const decodingModule = new ContainerModule((options) => {
  options.bind<DecoderSearch>(DecoderSearch).toConstantValue(new GreedySearch());
  options.bind<DecoderSearch>(DecoderSearch).toConstantValue(new BeamSearch());
  options.bind<DecoderSearch>(DecoderSearch).toConstantValue(new SamplingSearch());
});

export class SearchRegistry {
  constructor(private readonly searches: readonly DecoderSearch[]) {}

  names(): string[] {
    return this.searches.map((s) => s.name);
  }

  get(name: string): DecoderSearch {
    const s = this.searches.find((x) => x.name === name);
    if (!s) throw new CaptuneError(`unknown search "${name}": known searches are ${this.names().join(', ')}`);
    return s;
  }
}

export function createSearchRegistry(modules: readonly ContainerModule[] = [decodingModule]): SearchRegistry {
  const c = new Container();
  for (const m of modules) void c.load(m);
  return new SearchRegistry(c.isBound(DecoderSearch) ? c.getAll<DecoderSearch>(DecoderSearch) : []);
}
