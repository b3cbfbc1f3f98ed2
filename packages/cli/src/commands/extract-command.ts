/**
 * `captune extract`: runs the frozen CLIP vision tower once over a dataset's images and stores
 * the outputs in a feature cache (sharded safetensors + a JSON manifest; core's
 * `extractFeatures`), which training and evaluation then read instead of re-encoding images.
 * `captune extract --merge DIR` folds the part manifests of several runs (`--shard i/N` on N
 * machines) into one manifest.
 */
import { parseCommandArgs, UsageError, type Command, type ParsedArgs } from '../command.js';
import {
  BACKEND_OPTIONS,
  backendChoice,
  backendHelp,
  withEngine,
} from '../runtime/backend-options.js';
import { intOption } from '../runtime/option-values.js';
import { printJson, printText } from '../runtime/output.js';
import { createProgress } from '../runtime/progress.js';

const SPLITS = ['train', 'val', 'test', 'restval', 'unknown', 'all'] as const;
const FORMATS = ['karpathy', 'coco', 'nocaps', 'jsonl', 'csv', 'folder'] as const;

export interface ExtractJson {
  readonly extracted: number;
  readonly reused: number;
  readonly skipped: { readonly id: string; readonly image: string; readonly error: string }[];
  readonly shards: number;
  readonly total: number;
  readonly out: string;
}

export const extractCommand: Command = {
  name: 'extract',
  summary: 'Run the frozen CLIP vision tower over a dataset once and cache its features.',
  usage:
    'captune extract --model <clip folder> --data <dataset file|folder> [--out DIR] [options]\n       captune extract --merge DIR [--json]',
  help: `options:
  -m, --model <folder>      Hugging Face CLIPModel folder (config.json, model.safetensors,
                            preprocessor_config.json)
  --data <file|folder>      Karpathy split JSON (dataset_coco.json), COCO or NoCaps caption JSON,
                            JSONL or CSV image–caption pairs, or a folder of images
  --format F                skip format detection: ${FORMATS.join(', ')}
  --image-root DIR          folder image paths are relative to (default: the dataset file's folder)
  -o, --out DIR             the feature cache folder (default: ./features); reused across runs,
                            datasets and checkpoints
  --split S                 ${SPLITS.join(', ')} (default all; train includes restval)
  --what W                  tokens (all vision tokens, for I-Tuning), embeds (projected image
                            embedding, for ClipCap/ReCap/SITTA) or both (default)
  --token-layer L           post-ln (default: post_layernorm on every token) or last (encoder
                            output before it, transformers' last_hidden_state)
  --dtype f16|f32           storage of tokens (default f16: half the disk, relative error
                            ≤ 2^-11 ≈ 4.9e-4; f32 stores the float32 outputs exactly)
  --embeds-dtype f32|f16    storage of embeds (default f32)
  --batch-size N            images per forward pass (default 16)
  --shard-size N            images per shard file (default 256)
  --shard i/N               process only records with index ≡ i (mod N) of the selected split
  --skip-bad                report bad images (missing, corrupt, truncated, not an image, too
                            large) and go on (default)
  --no-skip-bad             fail on the first bad image
  --merge DIR               fold DIR's part manifests into DIR/manifest.json (run it after all
                            shards finished) and exit
  --json                    print {"extracted", "reused", "skipped": [{"id", "image", "error"}],
                            "shards", "total", "out"} at the end
  -q, --quiet               no progress and no skipped-image list on stderr
${backendHelp(28)}
  -h, --help                show this help

The cache is keyed by sha256(checkpoint: config.json, weights header and size,
preprocessor_config.json, token layer) and sha256(image bytes): a re-run, or a run over another
dataset listing the same images, reuses what is cached and computes only the rest; features of
another checkpoint are never reused. A killed run loses at most the shard in progress; run the
same command again to resume.

Several machines: each runs its share with --shard i/N into the same --out folder (on shared
storage), writing its own part manifest; then one runs captune extract --merge DIR.
  Slurm:      #SBATCH --array=0-7
              captune extract ... --out feats --shard $SLURM_ARRAY_TASK_ID/8
  Kubernetes: an Indexed Job with completions: 8
              captune extract ... --out feats --shard $JOB_COMPLETION_INDEX/8
Readers see the union of the parts even before merging. See docs/extract.md.`,

  async run(argv) {
    const parsed = parseCommandArgs(this, argv, {
      model: { type: 'string', short: 'm' },
      data: { type: 'string' },
      format: { type: 'string' },
      'image-root': { type: 'string' },
      out: { type: 'string', short: 'o' },
      split: { type: 'string' },
      what: { type: 'string' },
      'token-layer': { type: 'string' },
      dtype: { type: 'string' },
      'embeds-dtype': { type: 'string' },
      'batch-size': { type: 'string' },
      'shard-size': { type: 'string' },
      shard: { type: 'string' },
      'skip-bad': { type: 'boolean' },
      'no-skip-bad': { type: 'boolean' },
      merge: { type: 'string' },
      json: { type: 'boolean' },
      quiet: { type: 'boolean', short: 'q' },
      ...BACKEND_OPTIONS,
    });
    if (!parsed) return 0;
    const { values, positionals } = parsed;
    if (positionals.length > 0)
      throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
    if (values.merge !== undefined) return merge(values);

    const model = values.model as string | undefined;
    const data = values.data as string | undefined;
    if (model === undefined) throw new UsageError('missing --model <clip folder>');
    if (data === undefined) throw new UsageError('missing --data <dataset file|folder>');
    if (values['skip-bad'] && values['no-skip-bad'])
      throw new UsageError('give --skip-bad or --no-skip-bad, not both');
    const split = oneOf(values, 'split', SPLITS) ?? 'all';
    const format = oneOf(values, 'format', FORMATS);
    const what = oneOf(values, 'what', ['tokens', 'embeds', 'both'] as const) ?? 'both';
    const tokenLayer = oneOf(values, 'token-layer', ['post-ln', 'last'] as const) ?? 'post-ln';
    const tokenDtype = oneOf(values, 'dtype', ['f16', 'f32'] as const) ?? 'f16';
    const embedDtype = oneOf(values, 'embeds-dtype', ['f16', 'f32'] as const) ?? 'f32';
    const batchSize = intOption(values, 'batch-size', { min: 1 }) ?? 16;
    const shardSize = intOption(values, 'shard-size', { min: 1 }) ?? 256;
    const shard = parseShard(values.shard as string | undefined);
    const out = (values.out as string | undefined) ?? 'features';
    const quiet = values.quiet === true;
    const choice = backendChoice(values);

    const { loadDataset, openClipFeatureEncoder, extractFeatures } =
      await import('@captune/core/node');
    const imageRoot = values['image-root'] as string | undefined;
    const dataset = await loadDataset(data, {
      ...(imageRoot ? { imageRoot } : {}),
      ...(format ? { format } : {}),
    });
    let seen = 0;
    const summary = await withEngine(choice, async ({ engine }) => {
      const encoder = await openClipFeatureEncoder(engine, model, { tokenLayer });
      let progress: ReturnType<typeof createProgress> | undefined;
      try {
        return await extractFeatures({
          encoder,
          dataset,
          out,
          split,
          what,
          tokenDtype: tokenDtype === 'f16' ? 'F16' : 'F32',
          embedDtype: embedDtype === 'f16' ? 'F16' : 'F32',
          batchSize,
          shardSize,
          shard,
          skipBad: values['no-skip-bad'] !== true,
          onProgress: ({ done, total }) => {
            progress ??= createProgress({ total, label: 'extract', quiet });
            progress.tick(done - seen);
            seen = done;
          },
        });
      } finally {
        progress?.done();
        encoder.dispose();
      }
    });
    if (!quiet && !values.json && summary.skipped.length > 0) {
      process.stderr.write(
        `skipped ${summary.skipped.length} bad image${summary.skipped.length === 1 ? '' : 's'}:\n${summary.skipped.map((s) => `  ${s.error}\n`).join('')}`,
      );
    }
    const result: ExtractJson = {
      extracted: summary.extracted,
      reused: summary.reused,
      skipped: summary.skipped.map((s) => ({ id: s.id, image: s.image, error: s.error })),
      shards: summary.shards,
      total: summary.total,
      out: summary.out,
    };
    if (values.json) printJson(result);
    else
      printText(
        `${dataset.source}: ${result.total} records${shard.count > 1 ? ` (shard ${shard.index}/${shard.count})` : ''}: ` +
          `extracted ${result.extracted}, reused ${result.reused}, skipped ${result.skipped.length}; ` +
          `${result.shards} shard file${result.shards === 1 ? '' : 's'} written to ${result.out}`,
      );
    return 0;
  },
};

async function merge(values: ParsedArgs['values']): Promise<number> {
  const dir = values.merge as string;
  const { mergeFeatureManifests } = await import('@captune/core/node');
  const s = await mergeFeatureManifests(dir);
  if (values.json) printJson({ out: dir, ...s });
  else
    printText(
      `${dir}: merged ${s.parts} part manifest${s.parts === 1 ? '' : 's'}: ${s.images} images of ${s.models} checkpoint${s.models === 1 ? '' : 's'} in ${s.shards} shards`,
    );
  return 0;
}

function oneOf<T extends string>(
  values: ParsedArgs['values'],
  name: string,
  allowed: readonly T[],
): T | undefined {
  const v = values[name] as string | undefined;
  if (v === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(v))
    throw new UsageError(
      `--${name} must be one of ${allowed.join(', ')}, got ${JSON.stringify(v)}`,
    );
  return v as T;
}

/** `--shard i/N` → {index, count}; absent → 0/1. */
export function parseShard(text: string | undefined): { index: number; count: number } {
  if (text === undefined) return { index: 0, count: 1 };
  const m = /^\s*([0-9]+)\s*\/\s*([0-9]+)\s*$/.exec(text);
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index >= count)
    throw new UsageError(
      `--shard must be i/N with 0 ≤ i < N (e.g. --shard 0/4), got ${JSON.stringify(text)}`,
    );
  return { index, count };
}
