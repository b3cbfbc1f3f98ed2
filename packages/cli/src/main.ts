/**
 * `captune`: dispatches to a subcommand. Exit codes: 0 success, 1 failure, 2 bad usage.
 * A CaptuneError prints `captune <cmd>: <message>` (no stack); anything else is a bug and
 * prints its stack.
 */
import { commandHelp, UsageError, type Command } from './command.js';
import { COMMANDS } from './commands/index.js';

const VERSION = '0.1.0';

function topLevelHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  const list = COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n');
  return (
    `usage: captune <command> [options]\n\n` +
    `captune: lightweight image captioning on frozen CLIP and GPT-2 models.\n\n` +
    `commands:\n${list}\n\n` +
    `Run 'captune <command> --help' for a command's options.\n`
  );
}

export async function runCli(argv: readonly string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    const target = first === 'help' && rest[0] !== undefined ? find(rest[0]) : undefined;
    if (first === 'help' && rest[0] !== undefined && !target) return unknownCommand(rest[0]);
    if (first === undefined) {
      process.stderr.write(topLevelHelp());
      return 2;
    }
    process.stdout.write(target ? commandHelp(target) : topLevelHelp());
    return 0;
  }
  if (first === '--version' || first === '-V') {
    process.stdout.write(`captune ${VERSION}\n`);
    return 0;
  }
  const command = find(first);
  if (!command) return unknownCommand(first);
  try {
    return await command.run(rest);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`captune ${command.name}: ${e.message}\nusage: ${command.usage}\n`);
      return 2;
    }
    // Core's entry is loaded only on this path: importing it costs startup time.
    const { CaptuneError } = await import('@captune/core');
    if (e instanceof CaptuneError) {
      process.stderr.write(`captune ${command.name}: ${e.message}\n`);
      return 1;
    }
    process.stderr.write(
      `captune ${command.name}: internal error (a bug, please report it):\n${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
    );
    return 1;
  }
}

function find(name: string): Command | undefined {
  return COMMANDS.find((c) => c.name === name);
}

function unknownCommand(name: string): number {
  process.stderr.write(
    `captune: unknown command ${JSON.stringify(name)} (commands: ${COMMANDS.map((c) => c.name).join(', ')})\n` +
      `usage: captune <command> [options]\n`,
  );
  return 2;
}
