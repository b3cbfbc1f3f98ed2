/**
 * Accumulates encoded rows and writes them as feature shards: one safetensors file per
 * `shardSize` images, with `tokens` [R, N, C] and/or `embeds` [R, P] in the chosen storage
 * dtype and metadata naming the checkpoint identity and each row's image hash. Files are
 * written atomically (safetensors-writer.ts), then `onWritten` records them in the manifest.
 *
 * Precision: F32 stores the encoder's float32 outputs exactly. F16 (IEEE half, round to nearest
 * even) keeps 11 significant bits: relative error ≤ 2⁻¹¹ ≈ 4.9e-4 for |x| ≥ 6.1e-5 (absolute
 * error ≤ 3e-8 below that); values beyond ±65504 do not fit, and the writer refuses them.
 */
import { join } from 'node:path';
import { CaptuneError } from '../errors/captune-error.js';
import type { EncodedBatch, FeatureEncoder } from './feature-encoder.js';
import { SHARDS_DIR, type FeatureShardInfo } from './feature-manifest.js';
import { FEATURE_CACHE_VERSION } from './feature-model-identity.js';
import { SHARD_META } from './feature-shard-reader.js';
import { writeSafetensors, type LazyTensorToWrite } from './safetensors-writer.js';

export type FeatureDtype = 'F16' | 'F32';

/** Largest finite IEEE half. */
const F16_MAX = 65504;

export interface FeatureShardWriterOptions {
  readonly out: string;
  readonly runId: string;
  readonly encoder: FeatureEncoder;
  readonly want: {
    readonly tokens: boolean;
    readonly embeds: boolean;
    readonly tokenDtype: FeatureDtype;
    readonly embedDtype: FeatureDtype;
  };
  readonly shardSize: number;
  /** Called after each shard file is written, with its manifest path ("shards/…"). */
  readonly onWritten: (
    shardPath: string,
    info: FeatureShardInfo,
    keys: readonly string[],
  ) => Promise<void>;
}

export class FeatureShardWriter {
  written = 0;
  private keys: string[] = [];
  private readonly tokens: Float32Array | null;
  private readonly embeds: Float32Array | null;
  private readonly tokenRow: number;
  private readonly embedRow: number;

  constructor(private readonly options: FeatureShardWriterOptions) {
    const { encoder, want, shardSize } = options;
    this.tokenRow = encoder.tokenShape[0] * encoder.tokenShape[1];
    this.embedRow = encoder.embedDim;
    this.tokens = want.tokens ? new Float32Array(shardSize * this.tokenRow) : null; // [R, N, C]
    this.embeds = want.embeds ? new Float32Array(shardSize * this.embedRow) : null; // [R, P]
  }

  /** Appends one encoded batch (rows in `keys` order); writes full shards as they fill. */
  async append(keys: readonly string[], batch: EncodedBatch): Promise<void> {
    const { shardSize } = this.options;
    for (const [name, buffer, row] of [
      ['tokens', this.tokens, this.tokenRow],
      ['embeds', this.embeds, this.embedRow],
    ] as const) {
      const got = batch[name];
      if (buffer && got?.length !== keys.length * row)
        throw new Error(
          `feature encoder returned ${got?.length ?? 'no'} ${name} values for ${keys.length} images of ${row}`,
        );
    }
    for (let i = 0; i < keys.length; i++) {
      const r = this.keys.length;
      this.tokens?.set(
        batch.tokens!.subarray(i * this.tokenRow, (i + 1) * this.tokenRow),
        r * this.tokenRow,
      );
      this.embeds?.set(
        batch.embeds!.subarray(i * this.embedRow, (i + 1) * this.embedRow),
        r * this.embedRow,
      );
      this.keys.push(keys[i]!);
      if (this.keys.length === shardSize) await this.flush();
    }
  }

  /** Writes the rows held so far (if any) as a shard. */
  async flush(): Promise<void> {
    const rows = this.keys.length;
    if (rows === 0) return;
    const { encoder, want, out, runId } = this.options;
    const tensors: Record<string, LazyTensorToWrite> = {};
    const [n, c] = encoder.tokenShape;
    if (this.tokens) {
      const data = this.tokens.subarray(0, rows * this.tokenRow);
      if (want.tokenDtype === 'F16') checkHalfRange(data, 'tokens');
      tensors.tokens = { dtype: want.tokenDtype, shape: [rows, n, c], data };
    }
    if (this.embeds) {
      const data = this.embeds.subarray(0, rows * this.embedRow);
      if (want.embedDtype === 'F16') checkHalfRange(data, 'embeds');
      tensors.embeds = { dtype: want.embedDtype, shape: [rows, encoder.embedDim], data };
    }
    const name = `${runId}-${String(this.written).padStart(5, '0')}.safetensors`;
    const shardPath = `${SHARDS_DIR}/${name}`;
    await writeSafetensors(join(out, SHARDS_DIR, name), tensors, {
      metadata: {
        format: 'captune-features',
        'captune.version': String(FEATURE_CACHE_VERSION),
        [SHARD_META.identity]: encoder.identity,
        [SHARD_META.keys]: JSON.stringify(this.keys),
        'captune.token_layer': encoder.tokenLayer,
      },
    });
    const keys = this.keys;
    this.keys = [];
    this.written++;
    await this.options.onWritten(
      shardPath,
      {
        rows,
        tokens: this.tokens ? { shape: [n, c], dtype: want.tokenDtype } : null,
        embeds: this.embeds ? { dim: encoder.embedDim, dtype: want.embedDtype } : null,
      },
      keys,
    );
  }
}

function checkHalfRange(data: Float32Array, name: string): void {
  for (let i = 0; i < data.length; i++) {
    const x = data[i]!;
    if (!(Math.abs(x) <= F16_MAX))
      throw new CaptuneError(
        `feature ${name}: value ${x} does not fit float16 (|x| ≤ ${F16_MAX}); extract with --dtype f32`,
      );
  }
}
