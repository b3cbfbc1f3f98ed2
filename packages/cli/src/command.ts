/**
 * What a `captune` subcommand is: one file per command in ./commands, registered in
 * ./commands/index.ts. `run` returns the exit code: 0 success, 1 failure, 2 bad usage
 * (throw `UsageError` for that; core's `CaptuneError` for a user-facing failure).
 * Commands import heavy modules inside `run`, so `captune --help` stays fast.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

export interface Command {
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  /** The usage line, e.g. `captune tokenize --tokenizer <folder> [--json] [--] TEXT...`. */
  readonly usage: string;
  /** The rest of `--help`: options and notes. */
  readonly help: string;
  run(argv: readonly string[]): Promise<number>;
}

/** Bad command-line usage: the CLI prints the message and the usage line, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * `node:util` parseArgs in strict mode with positionals, `--help`/`-h` added, and its errors
 * turned into UsageErrors. Returns undefined after printing help.
 */
export interface ParsedArgs {
  readonly values: Readonly<Record<string, string | boolean | undefined>>;
  readonly positionals: readonly string[];
}

export function parseCommandArgs(
  command: Command,
  argv: readonly string[],
  options: Options,
): ParsedArgs | undefined {
  let parsed: ParsedArgs;
  try {
    const r = parseArgs({
      args: [...argv],
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: true,
    });
    parsed = { values: r.values as ParsedArgs['values'], positionals: r.positionals };
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) {
      throw new UsageError((e as Error).message.split('. ')[0]!.replace(/\.$/, ''));
    }
    throw e;
  }
  if (parsed.values.help) {
    process.stdout.write(commandHelp(command));
    return undefined;
  }
  return parsed;
}

export function commandHelp(command: Command): string {
  return `usage: ${command.usage}\n\n${command.summary}\n\n${command.help.trimEnd()}\n`;
}
