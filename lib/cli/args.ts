import { type ParseArgsConfig, parseArgs } from 'node:util';
import { ConfigError } from '../errors';
import { LOCALES, type Locale } from '../notify/i18n';
import type { NotifyPolicy } from '../notify/summary';
import { isTimeZone } from '../notify/time-format';
import { parseDuration } from '../util/duration';

export interface CliArgs {
  help: boolean;
  config?: string;
  dryRun: boolean;
  json: boolean;
  verbose: boolean;
  jobs: string[];
  lookback?: string;
  /** Send the sweep's summary through the channels of `secretFile`. */
  notify?: NotifyPolicy;
  secretFile?: string;
}

/** `dataarts-autoretry notify test`: a sample summary to every channel of a secret file. */
export interface NotifyTestArgs {
  secretFile: string;
  dryRun: boolean;
  locale?: Locale;
  timeZone?: string;
}

export type CliCommand =
  | { command: 'help' }
  | { command: 'sweep'; args: CliArgs }
  | { command: 'notify-test'; args: NotifyTestArgs };

export const USAGE = `Usage: dataarts-autoretry --config <file.json> [options]
       dataarts-autoretry notify test --secret-file <secret.json> [--dry-run] [--locale zh-CN] [--time-zone Asia/Shanghai]

Reruns failed DataArts Factory job instances that policy allows, once per sweep.

Options:
  --config <file>        configuration file (JSON; see config.schema.json)
  --dry-run              decide and explain, but restart nothing and record nothing
  --json                 print exactly one JSON SweepReport on stdout (logs go to stderr)
  --job <glob>           only jobs matching this glob (repeatable; replaces policy.jobs)
  --lookback <duration>  how far back to look, e.g. 6h, 2d (replaces policy.lookback)
  --notify[=<policy>]    send the sweep's summary to the webhooks of --secret-file;
                         policy always, on-activity (default) or on-problem
  --secret-file <file>   JSON shaped like the Lambda's secret; only "webhooks" is read
  --verbose              log every decision to stderr
  --help                 show this help

notify test: sends a sample summary to each webhook of the secret file and names any
channel that failed with its platform's code; --dry-run prints each request body
instead (URLs redacted) and sends nothing.

Credentials (environment):
  HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK [, HUAWEICLOUD_SDK_SECURITY_TOKEN]
  or HUAWEICLOUD_IAM_USER, HUAWEICLOUD_IAM_PASSWORD, HUAWEICLOUD_IAM_DOMAIN [, HUAWEICLOUD_IAM_ENDPOINT]

Exit status: 0 the sweep ran (even with per-instance errors); 2 bad arguments or
configuration; 3 authentication failed on every target; 4 the sweep ran but a
notification channel failed (notify test: a channel failed); 1 anything else.
`;

const POLICIES: readonly NotifyPolicy[] = ['always', 'on-activity', 'on-problem'];

function parse(argv: readonly string[], options: NonNullable<ParseArgsConfig['options']>) {
  try {
    return parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new ConfigError('arguments', (error as Error).message);
  }
}

/** Parses the command line; errors are ConfigErrors naming the flag. */
export function parseCommand(argv: readonly string[]): CliCommand {
  if (argv[0] === 'notify') {
    if (argv[1] !== 'test') throw new ConfigError('notify', 'the only subcommand is "notify test"');
    return { command: 'notify-test', args: parseNotifyTestArgs(argv.slice(2)) };
  }
  const args = parseCliArgs(argv);
  return args.help ? { command: 'help' } : { command: 'sweep', args };
}

function parseNotifyTestArgs(argv: readonly string[]): NotifyTestArgs {
  const v = parse(argv, {
    'secret-file': { type: 'string' },
    'dry-run': { type: 'boolean' },
    locale: { type: 'string' },
    'time-zone': { type: 'string' },
  });
  if (typeof v['secret-file'] !== 'string') throw new ConfigError('--secret-file', 'is required');
  const args: NotifyTestArgs = { secretFile: v['secret-file'], dryRun: Boolean(v['dry-run']) };
  if (typeof v.locale === 'string') {
    if (!LOCALES.includes(v.locale as Locale))
      throw new ConfigError('--locale', `must be one of ${LOCALES.join(', ')}`);
    args.locale = v.locale as Locale;
  }
  if (typeof v['time-zone'] === 'string') {
    if (!isTimeZone(v['time-zone'])) throw new ConfigError('--time-zone', 'must be an IANA time zone');
    args.timeZone = v['time-zone'];
  }
  return args;
}

/** The sweep's flags (no subcommand). */
export function parseCliArgs(argv: readonly string[]): CliArgs {
  // `--notify` alone means on-activity: parseArgs has no optional values, so split it here.
  const notifyFlags = argv.filter((a) => a === '--notify' || a.startsWith('--notify='));
  const v = parse(
    argv.filter((a) => !notifyFlags.includes(a)),
    {
      help: { type: 'boolean', short: 'h' },
      config: { type: 'string', short: 'c' },
      'dry-run': { type: 'boolean' },
      json: { type: 'boolean' },
      verbose: { type: 'boolean', short: 'v' },
      job: { type: 'string', multiple: true },
      lookback: { type: 'string' },
      'secret-file': { type: 'string' },
    },
  );
  const args: CliArgs = {
    help: Boolean(v.help),
    dryRun: Boolean(v['dry-run']),
    json: Boolean(v.json),
    verbose: Boolean(v.verbose),
    jobs: (v.job as string[] | undefined) ?? [],
  };
  if (typeof v.config === 'string') args.config = v.config;
  if (typeof v.lookback === 'string') {
    parseDuration(v.lookback, '--lookback');
    args.lookback = v.lookback;
  }
  if (typeof v['secret-file'] === 'string') args.secretFile = v['secret-file'];
  const last = notifyFlags.at(-1);
  if (last !== undefined) {
    const policy = (last.split('=')[1] ?? 'on-activity') as NotifyPolicy;
    if (!POLICIES.includes(policy))
      throw new ConfigError('--notify', `must be one of ${POLICIES.join(', ')}`);
    if (!args.secretFile) throw new ConfigError('--secret-file', 'is required with --notify');
    args.notify = policy;
  }
  if (!args.help && !args.config)
    throw new ConfigError('--config', 'is required (a JSON configuration file)');
  return args;
}
