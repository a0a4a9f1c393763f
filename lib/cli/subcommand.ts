import type { ExitStatuses } from './exit-codes';
import type { CliIo } from './io';

/** One subcommand of `dataarts-autoretry`: an entry of the table in commands.ts. */
export interface Subcommand {
  /** The word that selects it, e.g. `history`. */
  name: string;
  /** One line for the top-level help. */
  summary: string;
  /** Its own help (`dataarts-autoretry <name> --help`), starting with `Usage:`. */
  usage: string;
  /** The statuses it exits with and what each means for it, shown after its usage. */
  exits: ExitStatuses;
  /** Runs it with the arguments after its name; resolves to the exit status. */
  run(argv: readonly string[], io: CliIo): Promise<number>;
}

/**
 * A subcommand from its five facts, in the order `--help` shows them: each command
 * module ends with one call, not one more copy of the same object literal.
 */
export function subcommand(
  name: string,
  summary: string,
  usage: string,
  exits: ExitStatuses,
  run: Subcommand['run'],
): Subcommand {
  return { name, summary, usage, exits, run };
}
