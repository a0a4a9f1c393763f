import type { CliIo } from './io';

/** One subcommand of `dataarts-autoretry`: an entry of the table in commands.ts. */
export interface Subcommand {
  /** The word that selects it, e.g. `history`. */
  name: string;
  /** One line for the top-level help. */
  summary: string;
  /** Its own help (`dataarts-autoretry <name> --help`), starting with `Usage:`. */
  usage: string;
  /** Runs it with the arguments after its name; resolves to the exit status. */
  run(argv: readonly string[], io: CliIo): Promise<number>;
}
