import { type ParseArgsConfig, parseArgs } from 'node:util';
import { durationProblem } from '../config/schema/duration';
import type { NotifyPolicy } from '../config/schema/notify';
import { ConfigError } from '../errors';
import { LOCALES, type Locale } from '../text/i18n';
import { isTimeZone } from '../text/time-format';
import { parseDuration } from '../util/duration';

export interface CliArgs {
  help: boolean;
  config?: string;
  dryRun: boolean;
  json: boolean;
  verbose: boolean;
  /** One row per instance in the table, even where many share an outcome. */
  all: boolean;
  jobs: string[];
  lookback?: string;
  /** A one-off sweep that restarts although a storm is suspected (the report says so). */
  ignoreStormGuard: boolean;
  /** Send the sweep's summary through the channels of `secretFile`. */
  notify?: NotifyPolicy;
  secretFile?: string;
  /** How long the sweep may run (`--deadline`, as written and in ms): then no new restarts, and the report goes out. */
  deadline: { text: string; ms: number };
}

/** A sweep from the command line ends within this unless --deadline says otherwise. */
export const DEFAULT_DEADLINE = '10m';

/** `dataarts-autoretry notify test`: a sample summary to every channel of a secret file. */
export interface NotifyTestArgs {
  secretFile: string;
  dryRun: boolean;
  locale?: Locale;
  timeZone?: string;
}

const POLICIES: readonly NotifyPolicy[] = ['always', 'on-activity', 'on-problem'];

/**
 * `-v` is the version to some tools and verbose to others: it means neither here, and
 * the refusal names both, so a script does not silently get the one it did not want.
 */
const AMBIGUOUS_V = 'is ambiguous: --verbose logs every decision, --version (or -V) prints the version';

/** Parses flags (no positionals); errors are ConfigErrors naming the arguments. */
export function parseFlags(argv: readonly string[], options: NonNullable<ParseArgsConfig['options']>) {
  try {
    return parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && message.includes("'-v'"))
      throw new ConfigError('-v', AMBIGUOUS_V);
    throw new ConfigError('arguments', message);
  }
}

export function parseNotifyTestArgs(argv: readonly string[]): NotifyTestArgs {
  const v = parseFlags(argv, {
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

function deadlineOf(value: unknown): CliArgs['deadline'] {
  const text = typeof value === 'string' ? value : DEFAULT_DEADLINE;
  const problem = durationProblem(text, { min: '1s', max: '24h' });
  if (problem) throw new ConfigError('--deadline', problem);
  return { text, ms: parseDuration(text, '--deadline') };
}

/** The sweep's flags (no subcommand). */
export function parseCliArgs(argv: readonly string[]): CliArgs {
  // `--notify` alone means on-activity: parseArgs has no optional values, so split it here.
  const notifyFlags = argv.filter((a) => a === '--notify' || a.startsWith('--notify='));
  const v = parseFlags(
    argv.filter((a) => !notifyFlags.includes(a)),
    {
      help: { type: 'boolean', short: 'h' },
      config: { type: 'string', short: 'c' },
      'dry-run': { type: 'boolean' },
      json: { type: 'boolean' },
      verbose: { type: 'boolean' },
      all: { type: 'boolean' },
      job: { type: 'string', multiple: true },
      lookback: { type: 'string' },
      'secret-file': { type: 'string' },
      'ignore-storm-guard': { type: 'boolean' },
      deadline: { type: 'string' },
    },
  );
  const args: CliArgs = {
    help: Boolean(v.help),
    dryRun: Boolean(v['dry-run']),
    json: Boolean(v.json),
    verbose: Boolean(v.verbose),
    all: Boolean(v.all),
    jobs: (v.job as string[] | undefined) ?? [],
    ignoreStormGuard: Boolean(v['ignore-storm-guard']),
    deadline: deadlineOf(v.deadline),
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
