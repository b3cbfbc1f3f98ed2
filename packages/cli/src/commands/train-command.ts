/**
 * `captune train`: trains the configured adapter (I-Tuning or ClipCap) on the frozen LM with
 * features from the feature cache (extracted inline when missing), validating, checkpointing
 * atomically and logging into the run folder; `--resume` continues exactly where the newest
 * complete checkpoint left off. Core's `trainFromConfig` does the work; this is the shell.
 */
import { parseCommandArgs, UsageError, type Command } from '../command.js';
import { openEngine } from '../runtime/backend-options.js';
import { createProgress, type Progress } from '../runtime/progress.js';
import { CONFIG_HELP, CONFIG_OPTIONS, configFromArgs } from './config-command.js';
import { metricScorer } from './eval-command.js';

export const trainCommand: Command = {
  name: 'train',
  summary: 'Train a captioning adapter (I-Tuning, ClipCap) on frozen CLIP + GPT-2.',
  usage:
    'captune train --config FILE [--resume] [--set KEY=VALUE]... [--backend B] [--device D] [--json] [--quiet]',
  help: `options:
${CONFIG_HELP}
  --resume                  continue from the newest complete checkpoint in training.runDir
                            (same data order, step and optimizer state as an uninterrupted run)
  --json                    print a JSON summary at the end: {"runDir", "steps", "totalSteps", "resumedFrom",
                            "stoppedEarly", "bestStep", "bestMetric", "lastCheckpoint", "bestCheckpoint", "lastLoss", "seconds"}
  -q, --quiet               no progress bar or notes on stderr
  -h, --help                show this help

The run folder (training.runDir) gets ckpt-<step>/ checkpoints (adapter.safetensors,
optimizer.safetensors, state.json), pointer files latest and best, log.jsonl (one line per
step) and curves.svg. Features missing from the cache are extracted first (as captune extract).
Exit codes: 0 done, 1 failure, 2 bad usage.`,

  async run(argv) {
    const parsed = parseCommandArgs(this, argv, {
      ...CONFIG_OPTIONS,
      resume: { type: 'boolean' },
      json: { type: 'boolean' },
      quiet: { type: 'boolean', short: 'q' },
    });
    if (!parsed) return 0;
    const { values, positionals } = parsed;
    if (positionals.length > 0)
      throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
    const config = await configFromArgs(values, { required: true });
    const quiet = values.quiet === true;
    const note = (m: string) => {
      if (!quiet) process.stderr.write(`captune train: ${m}\n`);
    };
    const { trainFromConfig } = await import('@captune/core/node');
    const opened = await openEngine(config.compute);
    let extract: Progress | null = null;
    let bar: Progress | null = null;
    let extracted = 0;
    try {
      note(`${config.method} on ${opened.target}, run folder ${config.training.runDir}`);
      const r = await trainFromConfig({
        engine: opened.engine,
        config,
        resume: values.resume === true,
        score: metricScorer(['cider']),
        onNote: note,
        onExtractStart: (total) => {
          extract = createProgress({ total, label: 'extract', quiet });
          extracted = 0;
        },
        onExtractProgress: ({ done }) => {
          extract?.tick(done - extracted);
          extracted = done;
        },
        onStep: (e, total) => {
          if (!bar) {
            extract?.done();
            bar = createProgress({ total: total - e.step + 1, label: 'train', quiet });
          }
          bar.tick(1);
          if (e.valLoss !== undefined)
            note(
              `step ${e.step}: loss ${e.loss.toFixed(4)}, val loss ${e.valLoss.toFixed(4)}${e.valCider != null ? `, val CIDEr-D ${e.valCider.toFixed(4)}` : ''}`,
            );
        },
      });
      (bar as Progress | null)?.done();
      const summary = {
        runDir: r.runDir,
        steps: r.steps,
        totalSteps: r.totalSteps,
        resumedFrom: r.resumedFrom,
        stoppedEarly: r.stoppedEarly,
        bestStep: r.bestStep,
        bestMetric: r.bestMetric,
        lastCheckpoint: r.lastCheckpoint,
        bestCheckpoint: r.bestCheckpoint,
        lastLoss: r.lastLoss,
        seconds: r.seconds,
      };
      r.dispose();
      if (values.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
      else
        process.stdout.write(
          `trained ${r.steps}/${r.totalSteps} steps${r.stoppedEarly ? ' (stopped early)' : ''} in ${r.seconds.toFixed(1)} s; last loss ${r.lastLoss?.toFixed(4) ?? '-'}\n` +
            `best validation ${config.training.earlyStopping.metric === 'cider' ? 'CIDEr-D' : 'loss'} ${r.bestMetric?.toFixed(4) ?? '-'} at step ${r.bestStep ?? '-'}\n` +
            `checkpoint ${r.lastCheckpoint}\nlog ${r.runDir}/log.jsonl, curves ${r.runDir}/curves.svg\n`,
        );
      return 0;
    } finally {
      await opened.close();
    }
  },
};
