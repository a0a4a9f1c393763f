import { parseArgs } from 'node:util';
import { ConfigError } from '../errors';
import { parseDuration } from '../util/duration';

export interface CliArgs {
  help: boolean;
  config?: string;
  dryRun: boolean;
  json: boolean;
  verbose: boolean;
  jobs: string[];
  lookback?: string;
}

export const USAGE = `Usage: dataarts-autoretry --config <file.json> [options]

Reruns failed DataArts Factory job instances that policy allows, once per sweep.

Options:
  --config <file>        configuration file (JSON; see config.schema.json)
  --dry-run              decide and explain, but restart nothing and record nothing
  --json                 print exactly one JSON SweepReport on stdout (logs go to stderr)
  --job <glob>           only jobs matching this glob (repeatable; replaces policy.jobs)
  --lookback <duration>  how far back to look, e.g. 6h, 2d (replaces policy.lookback)
  --verbose              log every decision to stderr
  --help                 show this help

Credentials (environment):
  HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK [, HUAWEICLOUD_SDK_SECURITY_TOKEN]
  or HUAWEICLOUD_IAM_USER, HUAWEICLOUD_IAM_PASSWORD, HUAWEICLOUD_IAM_DOMAIN [, HUAWEICLOUD_IAM_ENDPOINT]

Exit status: 0 the sweep ran (even with per-instance errors); 2 bad arguments or
configuration; 3 authentication failed on every target; 1 anything else.
`;

/** Parses the command line; errors are ConfigErrors naming the flag. */
export function parseCliArgs(argv: readonly string[]): CliArgs {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        help: { type: 'boolean', short: 'h' },
        config: { type: 'string', short: 'c' },
        'dry-run': { type: 'boolean' },
        json: { type: 'boolean' },
        verbose: { type: 'boolean', short: 'v' },
        job: { type: 'string', multiple: true },
        lookback: { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (error) {
    throw new ConfigError('arguments', (error as Error).message);
  }
  const v = parsed.values;
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
  if (!args.help && !args.config)
    throw new ConfigError('--config', 'is required (a JSON configuration file)');
  return args;
}
