import { explainCommand } from './explain';
import { historyCommand } from './history-command';
import { incidentsCommand } from './incidents-command';
import { initCommand } from './init';
import { notifyCommand } from './notify-command';
import { resetCommand } from './reset';
import type { Subcommand } from './subcommand';
import { sweepCommand } from './sweep-command';
import { validateCommand } from './validate';

/**
 * Every subcommand, in the order `--help` lists them. A new one is one entry here.
 * `sweep` is also what runs when the first argument is not a command's name.
 */
export const COMMANDS: readonly Subcommand[] = [
  sweepCommand,
  historyCommand,
  explainCommand,
  incidentsCommand,
  resetCommand,
  initCommand,
  validateCommand,
  notifyCommand,
];

export const DEFAULT_COMMAND: Subcommand = sweepCommand;
