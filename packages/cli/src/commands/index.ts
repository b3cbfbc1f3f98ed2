/** Every `captune` subcommand, in the order `captune --help` lists them. Add one file per command. */
import type { Command } from '../command.js';
import { doctorCommand } from './doctor-command.js';
import { embedCommand } from './embed-command.js';
import { generateCommand } from './generate-command.js';
import { lmScoreCommand } from './lm-score-command.js';
import { tokenizeCommand } from './tokenize-command.js';

export const COMMANDS: readonly Command[] = [
  embedCommand,
  generateCommand,
  lmScoreCommand,
  tokenizeCommand,
  doctorCommand,
];
