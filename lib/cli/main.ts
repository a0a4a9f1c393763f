import { COMMANDS, DEFAULT_COMMAND } from './commands';
import { writeError } from './error-output';
import { EXIT_STATUS_HELP, exitCodeOf, exitStatusHelp } from './exit-codes';
import type { CliIo } from './io';
import type { Subcommand } from './subcommand';

/** The top-level help: the default sweep's usage line, every command, every exit status. */
export function topUsage(commands: readonly Subcommand[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  const list = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n');
  return `Usage: dataarts-autoretry --config <file.json> [options]     (a sweep: the default command)
       dataarts-autoretry <command> [options]
       dataarts-autoretry <command> --help | --version

Commands:
${list}

${DEFAULT_COMMAND.usage.slice(DEFAULT_COMMAND.usage.indexOf('\n') + 1)}
${EXIT_STATUS_HELP}`;
}

/**
 * The command line: picks the subcommand from the table, runs it, and turns what
 * stopped it into an exit status and a message (one JSON document with --json).
 */
export async function runCli(
  argv: readonly string[],
  io: CliIo,
  commands: readonly Subcommand[] = COMMANDS,
): Promise<number> {
  const json = argv.includes('--json');
  try {
    const [first, ...rest] = argv;
    if (first === 'help' || (argv.length === 1 && (first === '--help' || first === '-h'))) {
      io.stdout.write(topUsage(commands));
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
      io.stdout.write(named ? `${command.usage}\n${exitStatusHelp(command.exits)}` : topUsage(commands));
      return 0;
    }
    return await command.run(args, io);
  } catch (error) {
    const code = exitCodeOf(error);
    writeError(error, code, json, io.stdout, io.stderr);
    return code;
  }
}
