import { CLI_MESSAGES, type CliMessages } from '../text/cli-messages';
import { COMMANDS, DEFAULT_COMMAND } from './commands';
import { displayFor } from './display';
import { writeError } from './error-output';
import { exitCodeOf, exitStatusHelp } from './exit-codes';
import type { CliIo } from './io';
import type { Subcommand } from './subcommand';

/** The top-level help: the default sweep's usage line, every command, every exit status. */
export function topUsage(commands: readonly Subcommand[], m: CliMessages): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  const list = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.help(m.help).summary}`).join('\n');
  const sweep = DEFAULT_COMMAND.help(m.help);
  return `${m.help.top}

${m.help.commands}
${list}

${sweep.usage.slice(sweep.usage.indexOf('\n') + 1)}
${exitStatusHelp(sweep.exits, m.help.exitStatus)}`;
}

/**
 * The command line: picks the subcommand from the table, runs it, and turns what
 * stopped it into an exit status and a message (one JSON document with --json).
 * Help and errors speak the environment's language: they come before, or instead
 * of, a configuration that could say otherwise.
 */
export async function runCli(
  argv: readonly string[],
  io: CliIo,
  commands: readonly Subcommand[] = COMMANDS,
): Promise<number> {
  const json = argv.includes('--json');
  const m = CLI_MESSAGES[displayFor(undefined, io.env).locale];
  try {
    const [first, ...rest] = argv;
    if (first === 'help' || (argv.length === 1 && (first === '--help' || first === '-h'))) {
      io.stdout.write(topUsage(commands, m));
      return 0;
    }
    const named = commands.find((c) => c.name === first);
    const command = named ?? DEFAULT_COMMAND;
    const args = named ? rest : argv;
    // Like --help, wherever it stands: `<command> --version` is what the help offers.
    if (args.includes('--version') || args.includes('-V')) {
      io.stdout.write(`dataarts-autoretry ${io.version}\n`);
      return 0;
    }
    if (args.includes('--help') || args.includes('-h')) {
      const help = command.help(m.help);
      io.stdout.write(
        named ? `${help.usage}\n${exitStatusHelp(help.exits, m.help.exitStatus)}` : topUsage(commands, m),
      );
      return 0;
    }
    return await command.run(args, io);
  } catch (error) {
    const code = exitCodeOf(error);
    writeError(error, code, { json, out: io.stdout, err: io.stderr, m });
    return code;
  }
}
