/**
 * `captune eval`: captions a split with a trained adapter (beam search, 5 beams by default),
 * writes COCO results `[{"image_id", "caption"}]`, and scores them with @captune/metrics
 * (BLEU-1..4, METEOR when available, ROUGE-L, CIDEr-D, labelled as the metrics package labels
 * them). `--compare` evaluates several runs / checkpoints / configs into one table, and
 * `--baseline` adds the frozen LM without adapter.
 */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { CaptionScorer } from '@captune/core';
import { parseCommandArgs, UsageError, type Command } from '../command.js';
import { openEngine } from '../runtime/backend-options.js';
import { intOption } from '../runtime/option-values.js';
import { table } from '../runtime/output.js';
import { createProgress } from '../runtime/progress.js';
import { CONFIG_HELP, CONFIG_OPTIONS, configFromArgs } from './config-command.js';

type MetricName = 'bleu' | 'rouge' | 'cider' | 'meteor' | 'spice';

/** A CaptionScorer over @captune/metrics `score` (corpus scores), with every implemented metric by default. */
export function metricScorer(metrics?: readonly MetricName[]): CaptionScorer {
  return async (refs, cands) => {
    const { score, IMPLEMENTED_METRICS } = await import('@captune/metrics');
    const use = (metrics ?? IMPLEMENTED_METRICS).filter((m) => IMPLEMENTED_METRICS.includes(m));
    return score(refs, cands, { metrics: use }).corpus as Record<string, number>;
  };
}

export interface EvalRow {
  readonly label: string;
  readonly method: string;
  readonly checkpoint: string | null;
  readonly metrics: Record<string, number> | null;
  readonly images: number;
  readonly out?: string;
}

export const evalCommand: Command = {
  name: 'eval',
  summary: 'Caption a split with trained adapters and score it (BLEU, ROUGE-L, CIDEr-D, …).',
  usage:
    'captune eval --config FILE [--checkpoint DIR] [--split test] [--out results.json] [--compare RUN]... [--baseline] [--json]',
  help: `options:
${CONFIG_HELP}
  --checkpoint DIR          checkpoint folder (default: the run's best, else latest checkpoint)
  --split NAME              split to caption (default: data.splits.test)
  --out FILE                write the COCO results [{"image_id", "caption"}] of the first model
  --compare TARGET          also evaluate another run folder, checkpoint folder or config file (repeatable);
                            all rows go into one table
  --baseline                add a row for the frozen LM without adapter (prompted with BOS only)
  --num-beams N             override decoding.numBeams (default 5)
  --json                    print {"split", "rows": [{"label", "method", "checkpoint", "metrics", "images"}]}
  -q, --quiet               no progress on stderr
  -h, --help                show this help`,

  async run(argv) {
    const parsed = parseCommandArgs(this, argv, {
      ...CONFIG_OPTIONS,
      checkpoint: { type: 'string' },
      split: { type: 'string' },
      out: { type: 'string', short: 'o' },
      compare: { type: 'string', multiple: true },
      baseline: { type: 'boolean' },
      'num-beams': { type: 'string' },
      json: { type: 'boolean' },
      quiet: { type: 'boolean', short: 'q' },
    });
    if (!parsed) return 0;
    const { values, positionals } = parsed;
    if (positionals.length > 0)
      throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
    const beams = intOption(values, 'num-beams', { min: 1 });
    const sets = [
      ...((values.set as unknown as string[] | undefined) ?? []),
      ...(beams ? [`decoding.numBeams=${beams}`] : []),
    ];
    const config = await configFromArgs(values, {
      required: true,
      extraSets: beams ? [`decoding.numBeams=${beams}`] : [],
    });
    const split = (values.split as string | undefined) ?? config.data.splits.test;
    const splits = ['train', 'val', 'test', 'restval', 'unknown', 'all'];
    if (!splits.includes(split))
      throw new UsageError(
        `--split must be one of ${splits.join(', ')}, got ${JSON.stringify(split)}`,
      );
    const quiet = values.quiet === true;
    const core = await import('@captune/core/node');
    const targets: { label: string; config: typeof config; checkpoint: string | null }[] = [];
    const main =
      values.checkpoint !== undefined
        ? (await core.isFittedMethodDir(values.checkpoint as string))
          ? resolve(values.checkpoint as string) // a `captune fit` folder (ReCap, SITTA)
          : (await core.resolveTrainedModel(values.checkpoint as string, sets)).checkpoint
        : await core.runCheckpoint(config.training.runDir);
    targets.push({ label: main, config, checkpoint: main });
    for (const t of (values.compare as unknown as string[] | undefined) ?? []) {
      if (await core.isFittedMethodDir(t)) {
        targets.push({ label: resolve(t), config, checkpoint: resolve(t) }); // a `captune fit` folder
        continue;
      }
      const r = await core.resolveTrainedModel(t, sets);
      targets.push({
        label: r.checkpoint,
        config: { ...r.config, data: config.data, decoding: config.decoding },
        checkpoint: r.checkpoint,
      });
    }
    if (values.baseline) targets.push({ label: 'frozen LM, no adapter', config, checkpoint: null });

    const opened = await openEngine(config.compute);
    const rows: EvalRow[] = [];
    try {
      for (const [i, t] of targets.entries()) {
        let bar: ReturnType<typeof createProgress> | null = null;
        const ev = await core.evaluateCheckpoint({
          engine: opened.engine,
          config: t.config,
          checkpoint: t.checkpoint,
          split: split as 'test',
          score: metricScorer(),
          onStart: (total) =>
            (bar = createProgress({ total, label: `eval ${i + 1}/${targets.length}`, quiet })),
          onProgress: (n) => bar?.tick(n),
          onNote: (m) => (quiet ? undefined : process.stderr.write(`captune eval: ${m}\n`)),
        });
        (bar as ReturnType<typeof createProgress> | null)?.done();
        let out: string | undefined;
        if (i === 0 && values.out !== undefined) {
          out = values.out as string;
          await writeFile(out, `${JSON.stringify(ev.results, null, 1)}\n`);
        }
        const method = t.checkpoint
          ? ((await core.readMethodFile(t.checkpoint))?.method ??
            (await core.readAdapterMeta(`${t.checkpoint}/adapter.safetensors`)).method)
          : 'none';
        rows.push({
          label: t.label,
          method,
          checkpoint: t.checkpoint,
          metrics: ev.metrics,
          images: ev.results.length,
          ...(out ? { out } : {}),
        });
      }
    } finally {
      await opened.close();
    }
    if (values.json) process.stdout.write(`${JSON.stringify({ split, rows }, null, 2)}\n`);
    else process.stdout.write(formatRows(split, rows));
    return 0;
  },
};

export function formatRows(split: string, rows: readonly EvalRow[]): string {
  const labels = [...new Set(rows.flatMap((r) => Object.keys(r.metrics ?? {})))];
  const header = ['model', 'method', 'images', ...labels];
  const body = rows.map((r) => [
    r.label,
    r.method,
    String(r.images),
    ...labels.map((l) => (r.metrics?.[l] !== undefined ? r.metrics[l]!.toFixed(4) : '-')),
  ]);
  const outs = rows.filter((r) => r.out).map((r) => `results written to ${r.out}\n`);
  return `split ${split}\n${table(header, body)}\n${outs.join('')}`;
}
