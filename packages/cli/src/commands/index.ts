/** Every `captune` subcommand, in the order `captune --help` lists them. Add one file per command. */
import type { Command } from '../command.js';
import { doctorCommand } from './doctor-command.js';
import { configCommand } from './config-command.js';
import { trainCommand } from './train-command.js';
import { evalCommand } from './eval-command.js';
import { fitCommand } from './fit-command.js';
import { captionCommand } from './caption-command.js';
import { demoCommand } from './demo-command.js';
import { embedCommand } from './embed-command.js';
import { extractCommand } from './extract-command.js';
import { generateCommand } from './generate-command.js';
import { lmScoreCommand } from './lm-score-command.js';
import { scoreCommand } from './score-command.js';
import { tokenizeCommand } from './tokenize-command.js';
import { exportOnnxCommand } from './export-onnx-command.js';

export const COMMANDS: readonly Command[] = [
  embedCommand,
  extractCommand,
  generateCommand,
  lmScoreCommand,
  scoreCommand,
  tokenizeCommand,
  doctorCommand,
  configCommand,
  trainCommand,
  evalCommand,
  fitCommand,
  captionCommand,
  demoCommand,
  exportOnnxCommand,
];
