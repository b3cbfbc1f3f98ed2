/**
 * `captune config --print`: the resolved config (file + `--set` overrides + flags, every default
 * filled in) as YAML or JSON. Also the shared config handling of train/eval/caption/demo:
 * `--config FILE`, repeatable `--set key.path=value`, and `--backend` / `--device`, applied in
 * that order (later wins).
 */
import type { CaptuneConfig } from '@captune/core';
import { parseCommandArgs, UsageError, type Command, type ParsedArgs } from '../command.js';
import {
  BACKEND_OPTIONS,
  backendChoice,
  backendHelp,
  type BackendChoice,
} from '../runtime/backend-options.js';

/** parseArgs options every config-driven command takes. */
export const CONFIG_OPTIONS = {
  config: { type: 'string', short: 'c' },
  set: { type: 'string', multiple: true },
  ...BACKEND_OPTIONS,
} as const;

export const CONFIG_HELP = `  -c, --config FILE         the run config (YAML or JSON; see docs/config.md)
  --set KEY=VALUE           override one config value, e.g. --set training.epochs=3 (repeatable)
${backendHelp(28)}`;

/** The config of a command line: the file (or all defaults), `--set`, then `--backend`/`--device`. */
export async function configFromArgs(
  values: ParsedArgs['values'],
  options: { required?: boolean; extraSets?: readonly string[] } = {},
): Promise<CaptuneConfig> {
  const file = values.config as string | undefined;
  if (options.required && file === undefined) throw new UsageError('missing --config FILE');
  const sets = [
    ...((values.set as unknown as string[] | undefined) ?? []),
    ...(options.extraSets ?? []),
  ];
  const { readConfigFile } = await import('@captune/core/node');
  const { loadConfigText, resolveConfigPaths } = await import('@captune/core');
  const { resolve } = await import('node:path');
  let config =
    file !== undefined
      ? readConfigFile(file, sets)
      : resolveConfigPaths(loadConfigText('{}', '(defaults)', sets), (p) => resolve(p));
  if (values.backend !== undefined || values.device !== undefined) {
    const flags: BackendChoice = backendChoice({
      backend: values.backend ?? config.compute.backend,
      device: values.device ?? config.compute.device,
    });
    config = { ...config, compute: flags };
  }
  return config;
}

export const configCommand: Command = {
  name: 'config',
  summary: 'Print the resolved run config with every default filled in.',
  usage: 'captune config --print [--config FILE] [--set KEY=VALUE]... [--json]',
  help: `options:
  --print                   print the resolved config (YAML; JSON with --json)
${CONFIG_HELP}
  --json                    print JSON instead of YAML
  -h, --help                show this help

Relative paths in a config file are resolved against the file's folder. A wrong type or an
unknown key is an error naming the key path, e.g.
  run.yaml: training.batchSize: expected a positive integer, got "32"
  run.yaml: unknown key training.batchsize (did you mean batchSize?)`,

  async run(argv) {
    const parsed = parseCommandArgs(this, argv, {
      print: { type: 'boolean' },
      json: { type: 'boolean' },
      ...CONFIG_OPTIONS,
    });
    if (!parsed) return 0;
    if (parsed.positionals.length > 0)
      throw new UsageError(`unexpected argument ${JSON.stringify(parsed.positionals[0])}`);
    if (!parsed.values.print) throw new UsageError('nothing to do: give --print');
    const config = await configFromArgs(parsed.values);
    const { formatConfig } = await import('@captune/core');
    process.stdout.write(formatConfig(config, parsed.values.json ? 'json' : 'yaml'));
    return 0;
  },
};
