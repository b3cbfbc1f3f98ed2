/**
 * `captune caption IMAGE...`: one caption per image from a trained captioner (a run folder,
 * checkpoint folder or config file; by default the shapes demo's trained I-Tuning adapter).
 * Images are decoded with sharp (any format it reads; bad files are reported per file, never
 * abort the batch), encoded by the frozen CLIP vision tower in batches, and decoded with beam
 * search. `--attention-maps DIR` writes, per image and generated token, the last adapter
 * layer's attention over the patches as a heatmap over the image (I-Tuning Figure 3).
 */
import { homedir } from 'node:os';
import { basename, extname, join } from 'node:path';
import { parseCommandArgs, UsageError, type Command } from '../command.js';
import {
  BACKEND_OPTIONS,
  backendHelp,
  backendChoice,
  openEngine,
} from '../runtime/backend-options.js';
import { intOption } from '../runtime/option-values.js';
import { createProgress } from '../runtime/progress.js';
import { captionWithFittedMethod } from './caption-fitted.js';
import { readCaptionImage as readImage } from './caption-image-file.js';

export type CaptionLine =
  | { readonly image: string; readonly caption: string; readonly attentionMaps?: string[] }
  | { readonly image: string; readonly error: string };

/** Where `captune demo` keeps its data and trained runs: `$CAPTUNE_CACHE/shapes-demo` or `~/.cache/captune/shapes-demo`. */
export function demoDir(): string {
  return join(process.env['CAPTUNE_CACHE'] ?? join(homedir(), '.cache', 'captune'), 'shapes-demo');
}

/** Run folders of the demo, the default captioner first. */
export function defaultModelCandidates(): string[] {
  return ['run-ituning', 'run-ituning-quick'].map((r) => join(demoDir(), r));
}

export const captionCommand: Command = {
  name: 'caption',
  summary: 'Caption images with a trained adapter (default: the shapes demo captioner).',
  usage:
    'captune caption IMAGE... [--model RUN_OR_CONFIG] [--json] [--strict] [--skip-bad] [--attention-maps DIR] [--num-beams N] [--backend B] [--device D]',
  help: `options:
  -m, --model TARGET        a run folder, checkpoint folder, config file, or a \`captune fit\` folder
                            (ReCap, SITTA) (default: the captioner
                            \`captune demo\` trained, in $CAPTUNE_CACHE/shapes-demo or ~/.cache/captune/shapes-demo)
  --json                    print [{"image", "caption"} | {"image", "error"}] in input order
  --skip-bad                leave unreadable images out of the output (a count goes to stderr)
                            and exit 0 for them
  --strict                  with --skip-bad: still exit 1 when any image could not be captioned
  --attention-maps DIR      write DIR/<image>-<k>-<token>.png per generated token (I-Tuning only)
  --num-beams N             beams (default: the config's decoding.numBeams, 5)
  --batch-size N            images per forward pass (default 8)
${backendHelp(28)}
  -q, --quiet               no progress on stderr
  -h, --help                show this help

Bad inputs (missing, empty, truncated, not an image, decompression bombs) get an error naming
the file and the reason (in the JSON, or on stderr), and the good images are still captioned.
Exit codes: 0 every image captioned, 1 some image could not be captioned (the output still
lists all of them) or failure, 2 bad usage.`,

  async run(argv) {
    const parsed = parseCommandArgs(this, argv, {
      model: { type: 'string', short: 'm' },
      json: { type: 'boolean' },
      strict: { type: 'boolean' },
      'skip-bad': { type: 'boolean' },
      'attention-maps': { type: 'string' },
      'num-beams': { type: 'string' },
      'batch-size': { type: 'string' },
      quiet: { type: 'boolean', short: 'q' },
      ...BACKEND_OPTIONS,
    });
    if (!parsed) return 0;
    const { values, positionals: images } = parsed;
    if (images.length === 0) throw new UsageError('no images given');
    const beams = intOption(values, 'num-beams', { min: 1 });
    const batchSize = intOption(values, 'batch-size', { min: 1 }) ?? 8;
    const mapsDir = values['attention-maps'] as string | undefined;
    const quiet = values.quiet === true;
    const core = await import('@captune/core');
    const node = await import('@captune/core/node');
    const { existsSync } = await import('node:fs');
    let target = values.model as string | undefined;
    if (target === undefined) {
      target = defaultModelCandidates().find((d) => existsSync(join(d, 'config.json')));
      if (!target)
        throw new core.CaptuneError(
          `no trained captioner found in ${demoDir()}: run \`captune demo\` first (it trains the shapes captioner there), or give --model RUN_FOLDER`,
        );
    }
    if (await node.isFittedMethodDir(target)) {
      if (mapsDir)
        throw new UsageError(
          '--attention-maps needs an I-Tuning adapter; a fitted method (recap, sitta) has no cross-attention',
        );
      const opened = await openEngine(backendChoice(values));
      let lines: CaptionLine[];
      try {
        const bar = createProgress({
          total: images.length,
          label: 'caption',
          quiet: quiet || values.json === true,
        });
        lines = await captionWithFittedMethod({
          engine: opened.engine,
          dir: target,
          images,
          batchSize,
          readImage: (path) => readImage(path, node.decodeImage),
          onBatch: (n) => bar.tick(n),
        });
        bar.done();
      } finally {
        await opened.close();
      }
      return report(lines, values, quiet);
    }
    const resolved = await node.resolveTrainedModel(
      target,
      beams ? [`decoding.numBeams=${beams}`] : [],
    );
    const config = resolved.config;
    if (!config.models.clip || !config.models.lm)
      throw new core.CaptuneError(`${target}: the config names no models.clip / models.lm`);
    const choice =
      values.backend !== undefined || values.device !== undefined
        ? backendChoice(values)
        : config.compute;
    const opened = await openEngine(choice);
    const out: CaptionLine[] = [];
    try {
      const e = opened.engine;
      const cap = await node.openTrainedCaptioner(e, {
        lm: config.models.lm,
        adapterFile: join(resolved.checkpoint, node.ADAPTER_FILE),
      });
      const encoder = await node.openClipFeatureEncoder(e, config.models.clip);
      const processor = mapsDir
        ? await node.readClipImageProcessorConfig(config.models.clip)
        : null;
      if (mapsDir && cap.method.name !== 'ituning')
        throw new UsageError(
          `--attention-maps needs an I-Tuning adapter; ${target} is ${cap.method.name}`,
        );
      try {
        const { search: searchName, ...decode } = config.decoding;
        const gen = new core.CaptionGenerator({
          decoder: cap.decoder,
          adapter: cap.adapter,
          tokenizer: cap.tokenizer,
          search: core.createSearchRegistry().get(searchName),
          options: core.DecodeOptionsSchema.parse(decode),
        });
        const bar = createProgress({
          total: images.length,
          label: 'caption',
          quiet: quiet || values.json === true,
        });
        const results = new Map<number, CaptionLine>();
        for (let start = 0; start < images.length; start += batchSize) {
          const good: {
            index: number;
            image: import('@captune/core').Image8;
            pixels: Float32Array;
          }[] = [];
          for (let i = start; i < Math.min(images.length, start + batchSize); i++) {
            const path = images[i]!;
            try {
              const img = await readImage(path, node.decodeImage);
              good.push({ index: i, image: img, pixels: encoder.preprocess(img) });
            } catch (error) {
              if (!(error instanceof core.CaptuneError)) throw error;
              results.set(i, { image: path, error: error.message });
            }
          }
          if (good.length > 0) {
            const pixels = new Float32Array(good.length * good[0]!.pixels.length);
            good.forEach((g, k) => pixels.set(g.pixels, k * g.pixels.length));
            const needs = cap.method.needs;
            const enc = await encoder.encode(pixels, good.length, {
              tokens: needs === 'tokens',
              embeds: needs === 'embeds',
            });
            const [N, Cv] = encoder.tokenShape;
            const feats =
              needs === 'tokens'
                ? { tokens: e.tensor(enc.tokens!, [good.length, N, Cv]) }
                : { embeds: e.tensor(enc.embeds!, [good.length, encoder.embedDim]) };
            try {
              const caps = await gen.decodeBatch(
                good.map((g) => String(g.index)),
                feats,
              );
              for (const [k, c] of caps.entries()) {
                const g = good[k]!;
                let maps: string[] | undefined;
                if (mapsDir && processor) {
                  const one = e.tensor(enc.tokens!.subarray(k * N * Cv, (k + 1) * N * Cv), [
                    1,
                    N,
                    Cv,
                  ]);
                  const weights = await core.tokenAttention(
                    cap.decoder,
                    cap.adapter as import('@captune/core').ITuningAdapter,
                    one,
                    c.tokens,
                  );
                  e.dispose(one);
                  const prefix = `${String(g.index).padStart(3, '0')}-${basename(images[g.index]!, extname(images[g.index]!)).replace(/[^A-Za-z0-9_-]+/g, '_')}`;
                  maps = await node.writeAttentionMaps({
                    outDir: mapsDir,
                    prefix,
                    image: core.clipResizeAndCrop(g.image, processor),
                    weights,
                    tokens: c.tokens.map((t) => cap.tokenizer.decode([t])),
                  });
                }
                results.set(g.index, {
                  image: images[g.index]!,
                  caption: c.caption,
                  ...(maps ? { attentionMaps: maps } : {}),
                });
              }
            } finally {
              e.dispose([feats.tokens, feats.embeds].filter((t) => t !== undefined));
            }
          }
          bar.tick(Math.min(images.length, start + batchSize) - start);
        }
        bar.done();
        for (let i = 0; i < images.length; i++) out.push(results.get(i)!);
      } finally {
        encoder.dispose();
        cap.dispose();
      }
    } finally {
      await opened.close();
    }
    return report(out, values, quiet);
  },
};

/**
 * Prints the results (JSON or lines; every input is in the output unless --skip-bad) and
 * returns the exit code: 1 when some input could not be captioned (0 with --skip-bad unless
 * --strict), else 0.
 */
function report(
  out: readonly CaptionLine[],
  values: Readonly<Record<string, string | boolean | undefined>>,
  quiet: boolean,
): number {
  const bad = out.filter((r) => 'error' in r);
  const skip = values['skip-bad'] === true;
  const shown = skip ? out.filter((r) => !('error' in r)) : out;
  if (values.json) process.stdout.write(`${JSON.stringify(shown, null, 2)}\n`);
  else {
    for (const r of shown) {
      if ('caption' in r) process.stdout.write(`${r.image}: ${r.caption}\n`);
      else process.stderr.write(`captune caption: ${r.error}\n`);
    }
  }
  if (bad.length === 0) return 0;
  if (skip) {
    if (!quiet)
      process.stderr.write(`captune caption: skipped ${bad.length} unreadable image(s)\n`);
    return values.strict ? 1 : 0;
  }
  process.stderr.write(
    `captune caption: ${bad.length} of ${out.length} images could not be captioned\n`,
  );
  return 1;
}
