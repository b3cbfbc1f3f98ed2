/**
 * A FeatureSource over features held in memory (tests, the demo's just-extracted features, a
 * library user who computed features elsewhere).
 */
import { CaptuneError } from '../errors/captune-error.js';
import type { FeatureSource, ImageFeatures } from './feature-source.js';

export interface MemoryFeatureSourceInput {
  /** [N, Cv] of every `tokens` array, when tokens are given. */
  readonly tokenShape?: readonly [number, number] | null;
  /** P of every `embeds` array, when embeddings are given. */
  readonly embedDim?: number | null;
  readonly features: ReadonlyMap<string, ImageFeatures> | Readonly<Record<string, ImageFeatures>>;
}

export class MemoryFeatureSource implements FeatureSource {
  readonly tokenShape: readonly [number, number] | null;
  readonly embedDim: number | null;
  private readonly byId: ReadonlyMap<string, ImageFeatures>;

  constructor(input: MemoryFeatureSourceInput) {
    this.tokenShape = input.tokenShape ?? null;
    this.embedDim = input.embedDim ?? null;
    this.byId =
      input.features instanceof Map ? input.features : new Map(Object.entries(input.features));
    const tokenSize = this.tokenShape ? this.tokenShape[0] * this.tokenShape[1] : null;
    for (const [id, f] of this.byId) {
      if (tokenSize !== null && f.tokens?.length !== tokenSize)
        throw new CaptuneError(
          `features of ${id}: expected ${tokenSize} token values, got ${f.tokens?.length ?? 'none'}`,
        );
      if (this.embedDim !== null && f.embeds?.length !== this.embedDim)
        throw new CaptuneError(
          `features of ${id}: expected an embedding of ${this.embedDim}, got ${f.embeds?.length ?? 'none'}`,
        );
    }
  }

  get size(): number {
    return this.byId.size;
  }

  async read(ids: readonly string[]): Promise<ImageFeatures[]> {
    return ids.map((id) => {
      const f = this.byId.get(id);
      if (!f)
        throw new CaptuneError(`no features for image ${JSON.stringify(id)} in the feature source`);
      return f;
    });
  }
}
