/**
 * `captune fit`: fits a closed-form captioning method on frozen CLIP + a frozen LM — ReCap
 * (Paischer et al. 2024: W in CLIP space + a caption datastore, optionally the
 * datastore-augmentation loop) or SITTA (Paischer et al. 2023: a map from CLIP space into the
 * LM's token embeddings) — and writes a method folder that `captune eval`, `captune caption`
 * and `captune score --alignment` read. No gradients: the fit takes seconds; it is reported.
 */
import { resolve } from 'node:path';
import { parseCommandArgs, UsageError, type Command } from '../command.js';
import { openEngine } from '../runtime/backend-options.js';
import { intOption, numberOption } from '../runtime/option-values.js';
import { createProgress, type Progress } from '../runtime/progress.js';
import { CONFIG_HELP, CONFIG_OPTIONS, configFromArgs } from './config-command.js';
import { metricScorer } from './eval-command.js';

const SOLVERS = ['ols', 'ridge', 'procrustes', 'robust-procrustes'];

export const fitCommand: Command = {
  name: 'fit',
  summary: 'Fit a closed-form captioner (ReCap, SITTA) on frozen CLIP + GPT-2 in seconds.',
  usage: 'captune fit --method recap|sitta (--config FILE | --clip-model DIR --lm-model DIR --data FILE) [--out DIR] [--json]',
  help: `options:
  --method recap|sitta      which method (required)
${CONFIG_HELP}
  --clip-model DIR          CLIP folder (overrides models.clip)
  --lm-model DIR            language-model folder with tokenizer files (overrides models.lm)
  --data FILE               dataset file or folder (overrides data.dataset)
  --split NAME              split to fit on (default: data.splits.train)
  --solver S                ${SOLVERS.join(' | ')} (default: recap procrustes, sitta ols)
  --alpha A                 ridge strength for --solver ridge (default 1)
  --source tokens|pairs     SITTA: token correspondences or image–caption pairs (default tokens)
  --dal-rounds N            ReCap: rounds of the datastore-augmentation loop (default 0); the
                            validation split's metrics are printed after each round
  --dal-fraction F          ReCap: fraction of synthetic captions kept per round (default 0.1)
  --out DIR                 method folder to write (default runs/<method>)
  --json                    print {"method", "out", "images", "rows", "solver", "embedSeconds",
                            "fitSeconds", "totalSeconds", "extra", "dal": [{"round", "added", "metrics", …}]}
  -q, --quiet               no progress or notes on stderr
  -h, --help                show this help

Method settings live in the config's "recap" / "sitta" sections (see docs/recap-sitta.md);
--set recap.k=4 and the flags above override them. Features missing from the cache are
extracted first (as captune extract). Exit codes: 0 done, 1 failure, 2 bad usage.`,

  async run(argv) {
    const parsed = parseCommandArgs(this, argv, {
      ...CONFIG_OPTIONS,
      method: { type: 'string', short: 'm' },
      'clip-model': { type: 'string' },
      'lm-model': { type: 'string' },
      data: { type: 'string' },
      split: { type: 'string' },
      solver: { type: 'string' },
      alpha: { type: 'string' },
      source: { type: 'string' },
      'dal-rounds': { type: 'string' },
      'dal-fraction': { type: 'string' },
      out: { type: 'string', short: 'o' },
      json: { type: 'boolean' },
      quiet: { type: 'boolean', short: 'q' },
    });
    if (!parsed) return 0;
    const { values, positionals } = parsed;
    if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
    const method = values.method as string | undefined;
    if (method !== 'recap' && method !== 'sitta') throw new UsageError(`--method must be recap or sitta, got ${method === undefined ? 'nothing' : JSON.stringify(method)}`);
    const solver = values.solver as string | undefined;
    if (solver !== undefined && !SOLVERS.includes(solver)) throw new UsageError(`--solver must be one of ${SOLVERS.join(', ')}, got ${JSON.stringify(solver)}`);
    const source = values.source as string | undefined;
    if (source !== undefined && (method !== 'sitta' || !['tokens', 'pairs'].includes(source))) throw new UsageError(method !== 'sitta' ? '--source is a SITTA option (use --method sitta)' : `--source must be tokens or pairs, got ${JSON.stringify(source)}`);
    const alpha = numberOption(values, 'alpha', 'a number ≥ 0', (x) => x >= 0);
    const rounds = intOption(values, 'dal-rounds', { min: 0, max: 100 });
    const fraction = numberOption(values, 'dal-fraction', 'a number in (0, 1]', (x) => x > 0 && x <= 1);
    if ((rounds !== undefined || fraction !== undefined) && method !== 'recap') throw new UsageError('--dal-rounds and --dal-fraction are ReCap options (use --method recap)');
    const split = values.split as string | undefined;
    const splits = ['train', 'val', 'test', 'restval', 'unknown', 'all'];
    if (split !== undefined && !splits.includes(split)) throw new UsageError(`--split must be one of ${splits.join(', ')}, got ${JSON.stringify(split)}`);
    const sets = [
      ...(solver ? [`${method}.solver=${solver}`] : []),
      ...(alpha !== undefined ? [`${method}.alpha=${alpha}`] : []),
      ...(source ? [`sitta.source=${source}`] : []),
      ...(rounds !== undefined ? [`recap.dal.rounds=${rounds}`] : []),
      ...(fraction !== undefined ? [`recap.dal.fraction=${fraction}`] : []),
    ];
    let config = await configFromArgs(values, { extraSets: sets });
    const flagPath = (name: string) => (values[name] !== undefined ? resolve(values[name] as string) : undefined);
    config = {
      ...config,
      models: { ...config.models, ...(flagPath('clip-model') ? { clip: flagPath('clip-model') } : {}), ...(flagPath('lm-model') ? { lm: flagPath('lm-model') } : {}) },
      data: { ...config.data, ...(flagPath('data') ? { dataset: flagPath('data') } : {}) },
    };
    if (!config.models.clip) throw new UsageError('no CLIP model: give --clip-model DIR or models.clip in --config FILE');
    if (!config.models.lm) throw new UsageError('no language model: give --lm-model DIR or models.lm in --config FILE');
    if (!config.data.dataset) throw new UsageError('no dataset: give --data FILE or data.dataset in --config FILE');
    const out = (values.out as string | undefined) ?? `runs/${method}`;
    const quiet = values.quiet === true;
    const note = (m: string) => {
      if (!quiet) process.stderr.write(`captune fit: ${m}\n`);
    };
    const core = await import('@captune/core/node');
    const opened = await openEngine(config.compute);
    let bar: Progress | null = null;
    try {
      note(`${method} on ${opened.target}, writing ${out}`);
      const run = method === 'recap' ? core.fitRecapFromConfig : core.fitSittaFromConfig;
      const summary = await run({
        engine: opened.engine,
        config,
        out,
        ...(split ? { split: split as 'train' } : {}),
        score: metricScorer(['bleu', 'rouge', 'cider']),
        onNote: note,
        onPhase: (label, total) => {
          bar?.done();
          bar = total > 0 ? createProgress({ total, label, quiet }) : null;
        },
        onTick: (n) => bar?.tick(n),
        onDalRound: (r) => {
          (bar as Progress | null)?.done();
          bar = null;
          note(`DAL round ${r.round}: +${r.added} synthetic captions (datastore ${r.datastoreSize}), RefaCLIP-S kept ${r.keptRefaClipS.toFixed(4)} / all ${r.meanRefaClipS.toFixed(4)}, ${r.seconds.toFixed(1)} s`);
        },
      });
      (bar as Progress | null)?.done();
      if (values.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
      else process.stdout.write(formatFitSummary(summary));
      return 0;
    } finally {
      await opened.close();
    }
  },
};

type Summary = Awaited<ReturnType<typeof import('@captune/core/node')['fitRecapFromConfig']>>;

export function formatFitSummary(s: Summary): string {
  const lines = [
    `fitted ${s.method} (${s.solver}) on ${s.images} images, ${s.rows} rows`,
    `  fit ${s.fitSeconds.toFixed(3)} s (closed form), embedding ${s.embedSeconds.toFixed(1)} s, total ${s.totalSeconds.toFixed(1)} s`,
    `  wrote ${s.out}`,
  ];
  for (const r of s.dal) {
    const m = r.metrics ? Object.entries(r.metrics).map(([k, v]) => `${k} ${v.toFixed(4)}`).join(', ') : 'no metrics';
    lines.push(`  DAL round ${r.round}: +${r.added} captions (datastore ${r.datastoreSize}), RefaCLIP-S ${r.keptRefaClipS.toFixed(4)}; ${m}`);
  }
  return `${lines.join('\n')}\n`;
}
