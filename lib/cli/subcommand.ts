import type { CliHelp } from '../text/cli-messages';
import { type EXIT, type ExitStatuses, exitStatuses } from './exit-codes';
import type { CliIo } from './io';

/** A command's help in one locale, as `--help` shows it. */
export interface HelpText {
  /** One line for the top-level help. */
  summary: string;
  /** Its own help (`dataarts-autoretry <name> --help`), starting with `Usage:`. */
  usage: string;
  /** The statuses it exits with and what each means for it, shown after its usage. */
  exits: ExitStatuses;
}

/** One subcommand of `dataarts-autoretry`: an entry of the table in commands.ts. */
export interface Subcommand {
  /** The word that selects it, e.g. `history`. */
  name: string;
  /** Its help in the catalogue of the reader's locale. */
  help(catalogue: CliHelp): HelpText;
  /** Runs it with the arguments after its name; resolves to the exit status. */
  run(argv: readonly string[], io: CliIo): Promise<number>;
}

/**
 * A subcommand from its name, where its help is in the catalogue (lib/text/cli-messages.ts)
 * and what runs it: each command module ends with one call.
 */
export function subcommand<K extends Exclude<keyof CliHelp, 'top' | 'commands' | 'exitStatus'>>(
  name: K,
  run: Subcommand['run'],
): Subcommand {
  return {
    name,
    help: (catalogue) => {
      // Every command's help has a meaning for some of the statuses, in its own type.
      const help: { summary: string; usage: string; exits: Partial<Record<keyof typeof EXIT, string>> } =
        catalogue[name];
      return { summary: help.summary, usage: help.usage, exits: exitStatuses(help.exits) };
    },
    run,
  };
}
