/**
 * `captune demo`: the embedded default, offline. Generates the procedural shapes dataset into
 * the cache folder, extracts its features with the shipped tiny CLIP, trains an adapter on the
 * shipped frozen tiny GPT-2, captions the held-out test images, and prints a few captions next
 * to their references plus the metrics of the trained captioner and of the frozen GPT-2 alone
 * (prompted with BOS), including how often each names exactly the scene's colours and shape kinds
 * (checked against the generator's scene metadata). The trained run stays in the cache:
 * `captune caption` uses it by default. Methods are a table (`DEMO_METHODS`): later methods add an
 * entry. The training recipe follows packages/core/assets/shapes/README.md (I-Tuning: lr 1e-2,
 * batch 16, cosine with 10% warm-up, beam 3) with a sampled softmax over the LM head, which makes
 * a step several times cheaper than the full 50,257-way one.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCommandArgs, UsageError, type Command } from '../command.js';
import {
  BACKEND_OPTIONS,
  backendChoice,
  backendHelp,
  openEngine,
} from '../runtime/backend-options.js';
import { createProgress, type Progress } from '../runtime/progress.js';
import { demoDir } from './caption-command.js';
import { formatDemo, shapesAccuracy } from './demo-report.js';
import { metricScorer } from './eval-command.js';

/** Per method: its config section and learning rate for the shapes world; `fit`: closed form (captune fit), not trained. */
export const DEMO_METHODS: Readonly<
  Record<
    string,
    {
      readonly config: Record<string, unknown>;
      readonly lr: number;
      readonly fit?: 'recap' | 'sitta';
    }
  >
> = {
  ituning: { config: { bottleneck: 64, heads: 1 }, lr: 1e-2 },
  clipcap: { config: { mapper: 'mlp', prefixLength: 4 }, lr: 1e-3 },
  // The shapes GPT-2 saw single captions only (no few-shot prompts): ReCap also re-ranks the retrieved captions.
  recap: {
    config: { k: 4, rerankRetrieved: true, decoding: { candidates: 4, maxNewTokens: 16 } },
    lr: 0,
    fit: 'recap',
  },
  sitta: {
    // Image–caption pairs and Procrustes; the shapes GPT-2's kind words share most of their
    // embeddings, so the LM space is whitened (lmSpace, methods/sitta/lm-whitening.ts); the tiny LM
    // never saw a word list before a caption, so the words also bias its logits (wordBias); prompts
    // are sampled (SITTA's --decoding sampling) and CLIP re-ranks the candidates. CIDEr-D on the
    // demo's test images: 1.81 (z-scored 1.37, no word bias 0.94; see the shapes README).
    config: {
      source: 'pairs',
      solver: 'procrustes',
      vocabulary: 'caption-words',
      lmSpace: 'whiten',
      wordBias: 6,
      k: 4,
      permutations: 10,
      decoding: 'sampling',
      prompt: 'a',
      maxNewTokens: 16,
    },
    lr: 0,
    fit: 'sitta',
  },
};

/**
 * Images generated (80% train, 10% val, 10% test) and optimizer steps of batch `batch`; the
 * steps' validations use the first `valImages` validation images.
 */
export const DEMO_SIZES = {
  full: { images: 1500, steps: 2400, batch: 16, valImages: 25 },
  quick: { images: 300, steps: 150, batch: 16, valImages: 10 },
} as const;

/** Training settings shared by the trained methods (see the shapes README). */
export function demoTraining(size: (typeof DEMO_SIZES)[keyof typeof DEMO_SIZES], lr: number) {
  return {
    epochs: 1000, // maxSteps ends the run
    maxSteps: size.steps,
    batchSize: size.batch,
    optimizer: { lr, weightDecay: 0.01 },
    schedule: { type: 'cosine', warmupSteps: Math.round(size.steps / 10), minLrRatio: 0.1 },
    softmax: { type: 'sampled', negatives: 256 },
    validateEvery: Math.ceil(size.steps / 2),
    valSubset: size.valImages,
    checkpointEvery: Math.ceil(size.steps / 4),
    maxCaptionTokens: 32,
  };
}

/** The shipped shapes CLIP and GPT-2 folders (core's `shapesAssetsDir()` when it exists). */
async function shapesAssets(): Promise<{ clip: string; lm: string }> {
  const node = (await import('@captune/core/node')) as Record<string, unknown>;
  const fromCore =
    typeof node['shapesAssetsDir'] === 'function'
      ? (node['shapesAssetsDir'] as () => string)()
      : null;
  const dir = fromCore ?? fileURLToPath(new URL('../../../core/assets/shapes/', import.meta.url));
  const clip = join(dir, 'clip');
  const lm = join(dir, 'gpt2');
  if (!existsSync(join(clip, 'config.json')) || !existsSync(join(lm, 'config.json'))) {
    const { CaptuneError } = await import('@captune/core');
    throw new CaptuneError(
      `${dir}: the shipped shapes models (clip/, gpt2/) are missing from this installation`,
    );
  }
  return { clip, lm };
}

export const demoCommand: Command = {
  name: 'demo',
  summary: 'Train and evaluate a captioner on the shapes world, offline, in minutes.',
  usage:
    'captune demo [--method ituning|clipcap|recap|sitta] [--quick] [--json] [--quiet] [--backend B] [--device D]',
  help: `options:
  --method M                ${Object.keys(DEMO_METHODS).join(' or ')} (default ituning)
  --quick                   a smaller dataset and fewer steps (a smoke test)
  --json                    end with {"method", "metrics", "baseline", "shapes": {"trained", "baseline"}, "samples": [{"image", "caption", "references"}], "timings", "training"}
  -q, --quiet               no progress on stderr
${backendHelp(28)}
  -h, --help                show this help

Data, features and the trained run go to $CAPTUNE_CACHE/shapes-demo (default
~/.cache/captune/shapes-demo); a second run reuses them. \`captune caption IMAGE\` then uses
the trained I-Tuning captioner by default. "colours" and "kinds" are the shares of test images
whose caption names exactly the scene's set of object colours / of shape kinds; "exact", its
set of (colour, kind) pairs.`,

  async run(argv) {
    const parsed = parseCommandArgs(this, argv, {
      method: { type: 'string' },
      quick: { type: 'boolean' },
      json: { type: 'boolean' },
      quiet: { type: 'boolean', short: 'q' },
      ...BACKEND_OPTIONS,
    });
    if (!parsed) return 0;
    const { values, positionals } = parsed;
    if (positionals.length > 0)
      throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
    const method = (values.method as string | undefined) ?? 'ituning';
    const spec = DEMO_METHODS[method];
    if (!spec)
      throw new UsageError(
        `--method must be one of ${Object.keys(DEMO_METHODS).join(', ')}, got ${JSON.stringify(method)}`,
      );
    const quiet = values.quiet === true;
    const note = (m: string) => (quiet ? undefined : process.stderr.write(`captune demo: ${m}\n`));
    const size = values.quick ? DEMO_SIZES.quick : DEMO_SIZES.full;
    const core = await import('@captune/core');
    const node = await import('@captune/core/node');
    const assets = await shapesAssets();
    const root = demoDir();
    const dataDir = join(root, values.quick ? 'data-quick' : 'data');
    const timings: Record<string, number> = {};
    const timed = async <T>(key: string, fn: () => Promise<T>): Promise<T> => {
      const t0 = Date.now();
      try {
        return await fn();
      } finally {
        timings[key] = Number(((Date.now() - t0) / 1000).toFixed(2));
      }
    };
    await timed('data', async () => {
      if (existsSync(join(dataDir, 'captions.jsonl'))) return;
      note(`generating ${size.images} shapes images in ${dataDir}`);
      await node.writeShapesDataset(dataDir, { count: size.images, seed: 0 });
    });
    const config = core.validateConfig(
      {
        models: assets,
        ...(spec.fit ? {} : { method }),
        [method]: spec.config,
        compute:
          values.backend !== undefined || values.device !== undefined ? backendChoice(values) : {},
        data: { dataset: join(dataDir, 'captions.jsonl'), featureCache: join(dataDir, 'features') },
        training: {
          ...(spec.fit ? {} : demoTraining(size, spec.lr)),
          runDir: join(root, `run-${method}${values.quick ? '-quick' : ''}`),
        },
        decoding: { numBeams: 3, maxNewTokens: 24 },
      },
      'captune demo',
    );
    const opened = await openEngine(config.compute);
    try {
      note(`${method} on ${opened.target}; cache ${root}`);
      let extract: Progress | null = null;
      let extracted = 0;
      let bar: Progress | null = null;
      const fitted = spec.fit
        ? await timed('fit', () =>
            (spec.fit === 'recap' ? node.fitRecapFromConfig : node.fitSittaFromConfig)({
              engine: opened.engine,
              config,
              out: join(root, `fit-${method}${values.quick ? '-quick' : ''}`),
              onNote: note,
            }),
          )
        : null;
      // The demo's own cache: a run trained with other settings (an older demo) is retrained.
      if (!fitted) await node.removeRunIfChanged(config, note);
      const trained = fitted
        ? null
        : await timed('train', () =>
            node.trainFromConfig({
              engine: opened.engine,
              config,
              resume: true,
              score: metricScorer(['cider']),
              onNote: note,
              onExtractStart: (total) =>
                (extract = createProgress({ total, label: 'extract', quiet })),
              onExtractProgress: ({ done }) => {
                extract?.tick(done - extracted);
                extracted = done;
              },
              onStep: (e, total) => {
                if (!bar) {
                  (extract as Progress | null)?.done();
                  bar = createProgress({ total: total - e.step + 1, label: 'train', quiet });
                }
                bar.tick(1);
              },
            }),
          );
      (bar as Progress | null)?.done();
      const steps = trained ? { steps: trained.steps, seconds: trained.seconds } : null;
      trained?.dispose();
      const checkpoint = fitted ? fitted.out : await node.runCheckpoint(config.training.runDir);
      const evaluate = (ckpt: string | null, label: string) => {
        let b: Progress | null = null;
        return node
          .evaluateCheckpoint({
            engine: opened.engine,
            config,
            checkpoint: ckpt,
            score: metricScorer(),
            onStart: (total) => (b = createProgress({ total, label, quiet })),
            onProgress: (n) => b?.tick(n),
            onNote: note,
          })
          .finally(() => (b as Progress | null)?.done());
      };
      const ev = await timed('caption', () => evaluate(checkpoint, 'caption test'));
      const base = await timed('baseline', () => evaluate(null, 'baseline test'));
      const samples = ev.records.slice(0, 5).map((r, i) => ({
        image: r.image,
        caption: ev.captions[i]!.caption,
        references: r.captions.slice(0, 3),
      }));
      const shapes = {
        trained: shapesAccuracy(core, ev),
        baseline: shapesAccuracy(core, base),
      };
      const summary = {
        method,
        metrics: ev.metrics ?? {},
        baseline: base.metrics ?? {},
        shapes,
        samples,
        timings,
        ...(steps ? { training: { ...steps, softmax: config.training.softmax } } : {}),
        ...(fitted
          ? {
              fit: {
                fitSeconds: fitted.fitSeconds,
                embedSeconds: fitted.embedSeconds,
                totalSeconds: fitted.totalSeconds,
                rows: fitted.rows,
              },
            }
          : {}),
        run: fitted ? fitted.out : config.training.runDir,
        checkpoint,
      };
      if (values.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
      else process.stdout.write(formatDemo(summary));
      return 0;
    } finally {
      await opened.close();
    }
  },
};
