/**
 * Shared pieces of the Hugging Face config schemas: zod field builders whose messages read
 * well to a user, and the one-line error for the first problem (`config.json: n_embd: expected
 * a positive integer, got "768"`). Defaults live beside each model's schema and come from the
 * matching `configuration_*.py` in huggingface/transformers.
 */
import { z } from 'zod';
import { CaptuneError } from '../errors/captune-error.js';

/** Activation names transformers' `ACT2FN` maps that captune's models can run. */
export const HF_ACTIVATIONS = [
  'gelu',
  'gelu_new',
  'gelu_fast',
  'gelu_pytorch_tanh',
  'quick_gelu',
  'relu',
  'silu',
  'swish',
  'tanh',
] as const;
export type HfActivation = (typeof HF_ACTIVATIONS)[number];

const POS_INT = 'expected a positive integer';
const NON_NEG_INT = 'expected a non-negative integer';

export const positiveInt = (): z.ZodInt => z.int({ error: POS_INT }).positive({ error: POS_INT });
export const nonNegativeInt = (): z.ZodInt =>
  z.int({ error: NON_NEG_INT }).nonnegative({ error: NON_NEG_INT });
export const positiveNumber = (): z.ZodNumber =>
  z
    .number({ error: 'expected a positive number' })
    .positive({ error: 'expected a positive number' });
export const probability = (): z.ZodNumber =>
  z
    .number({ error: 'expected a probability in [0, 1]' })
    .min(0, { error: 'expected a probability in [0, 1]' })
    .max(1, { error: 'expected a probability in [0, 1]' });
export const finiteNumber = (): z.ZodNumber => z.number({ error: 'expected a number' });
export const bool = (): z.ZodBoolean => z.boolean({ error: 'expected true or false' });
export const activation = (): z.ZodEnum<{ [K in HfActivation]: K }> =>
  z.enum(HF_ACTIVATIONS, { error: `expected an activation name (${HF_ACTIVATIONS.join(', ')})` });
/** A nested config object (`text_config`); null and absent mean "all defaults". */
export const subConfig = (): z.ZodOptional<z.ZodNullable<z.ZodRecord<z.ZodString, z.ZodUnknown>>> =>
  z.record(z.string(), z.unknown(), { error: 'expected an object' }).nullish();

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = input;
  for (const key of path) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

function render(value: unknown): string {
  if (value === undefined) return 'nothing (the key is missing)';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

export function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((k, i) => (typeof k === 'number' ? `[${k}]` : i === 0 ? String(k) : `.${String(k)}`))
    .join('');
}

/** A CaptuneError `<file>: <key path>: <problem>, got <value>`. */
export function configError(
  file: string,
  path: readonly PropertyKey[],
  problem: string,
  got?: { readonly value: unknown },
): CaptuneError {
  const at = path.length > 0 ? `${formatPath(path)}: ` : '';
  const gotText = got ? `, got ${render(got.value)}` : '';
  return new CaptuneError(`${file}: ${at}${problem}${gotText}`);
}

/**
 * Parses `input` with `schema`; on failure throws for the first issue, naming the file and the
 * key path (`prefix` is prepended, for nested configs parsed on their own).
 */
export function parseWith<S extends z.ZodType>(
  schema: S,
  input: unknown,
  file: string,
  prefix: readonly PropertyKey[] = [],
): z.output<S> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw configError(file, prefix, 'expected a JSON object', { value: input });
  }
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0] as z.core.$ZodIssue;
  throw configError(file, [...prefix, ...issue.path], issue.message, {
    value: valueAt(input, issue.path),
  });
}

/** Checks `a` is divisible by `b` (hidden size by heads), naming both keys. */
export function requireDivisible(
  file: string,
  a: [string, number],
  b: [string, number],
  prefix = '',
): void {
  if (a[1] % b[1] !== 0) {
    throw new CaptuneError(
      `${file}: ${prefix}${a[0]} (${a[1]}) must be divisible by ${prefix}${b[0]} (${b[1]})`,
    );
  }
}
