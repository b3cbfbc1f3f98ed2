/**
 * From config text to a validated `CaptuneConfig`: parse JSON or YAML, apply `key.path=value`
 * overrides (values read as YAML scalars, so `3` is a number and `true` a boolean), validate
 * with the strict schema, and report every problem on one line naming the file and key path.
 */
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { CaptuneError } from '../errors/captune-error.js';
import { CaptuneConfigSchema, type CaptuneConfig } from './captune-config.js';
import { closest, formatConfigIssues, objectKeys, schemaAt } from './config-issues.js';

export type ConfigFormat = 'json' | 'yaml';

/** A config that failed validation: `issues` holds each problem, the message all of them. */
export class ConfigError extends CaptuneError {
  constructor(
    readonly source: string,
    readonly issues: readonly string[],
  ) {
    super(`${source}: ${issues.join('; ')}`);
    this.name = 'ConfigError';
  }
}

/** Parses config text; YAML is a superset of JSON, so JSON files parse either way. */
export function parseConfigText(text: string, source: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = source.endsWith('.json') ? JSON.parse(text) : parseYaml(text, { prettyErrors: false });
  } catch (error) {
    throw new CaptuneError(
      `${source}: not valid ${source.endsWith('.json') ? 'JSON' : 'YAML'}: ${(error as Error).message.split('\n')[0]}`,
    );
  }
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value))
    throw new CaptuneError(
      `${source}: the config must be an object (key: value pairs), got ${Array.isArray(value) ? 'a list' : typeof value}`,
    );
  return value as Record<string, unknown>;
}

/**
 * Applies `key.path=value` overrides to a raw config (a copy is returned). The key path must
 * name a known field (a typo gets "did you mean"); the value is read as a YAML scalar or flow
 * collection (`3`, `1e-4`, `true`, `null`, `[1, 2]`, `{type: cosine}`, or a plain string).
 */
export function applyConfigOverrides(
  raw: Record<string, unknown>,
  overrides: readonly string[],
): Record<string, unknown> {
  const out = structuredClone(raw);
  for (const o of overrides) {
    const eq = o.indexOf('=');
    if (eq <= 0)
      throw new CaptuneError(`--set ${o}: expected key.path=value (e.g. training.epochs=3)`);
    const path = o.slice(0, eq).trim().split('.');
    const text = o.slice(eq + 1);
    for (let i = 0; i < path.length; i++) {
      const parent = schemaAt(CaptuneConfigSchema, path.slice(0, i));
      const known = objectKeys(parent);
      if (!known.includes(path[i]!)) {
        const guess = closest(path[i]!, known);
        const where = path.slice(0, i + 1).join('.');
        throw new CaptuneError(
          `--set ${o}: unknown key ${where}${guess ? ` (did you mean ${guess}?)` : known.length ? ` (known keys: ${known.join(', ')})` : ''}`,
        );
      }
    }
    let value: unknown;
    try {
      value = text === '' ? '' : parseYaml(text);
    } catch {
      value = text;
    }
    let node = out as Record<string, unknown>;
    for (const key of path.slice(0, -1)) {
      const next = node[key];
      if (next === undefined || next === null || typeof next !== 'object' || Array.isArray(next))
        node[key] = {};
      node = node[key] as Record<string, unknown>;
    }
    node[path[path.length - 1]!] = value;
  }
  return out;
}

/** Validates a raw config; throws a ConfigError naming `source` and every bad key path. */
export function validateConfig(raw: unknown, source: string): CaptuneConfig {
  const r = CaptuneConfigSchema.safeParse(raw, { reportInput: true });
  if (r.success) return r.data;
  throw new ConfigError(source, formatConfigIssues(CaptuneConfigSchema, r.error.issues));
}

/** Parse + override + validate in one call. */
export function loadConfigText(
  text: string,
  source: string,
  overrides: readonly string[] = [],
): CaptuneConfig {
  return validateConfig(applyConfigOverrides(parseConfigText(text, source), overrides), source);
}

/** The config as text (what `captune config --print` shows). */
export function formatConfig(config: CaptuneConfig, format: ConfigFormat): string {
  return format === 'json'
    ? `${JSON.stringify(config, null, 2)}\n`
    : stringifyYaml(config, { lineWidth: 0 });
}

/** A copy of the config with each file path passed through `resolve` (relative paths → absolute). */
export function resolveConfigPaths(
  config: CaptuneConfig,
  resolve: (path: string) => string,
): CaptuneConfig {
  const r = (p: string | undefined) => (p === undefined ? undefined : resolve(p));
  return {
    ...config,
    models: { ...config.models, clip: r(config.models.clip), lm: r(config.models.lm) },
    data: {
      ...config.data,
      dataset: r(config.data.dataset),
      imageRoot: r(config.data.imageRoot),
      featureCache: r(config.data.featureCache),
    },
    training: { ...config.training, runDir: resolve(config.training.runDir) },
  };
}
