import { credentialsFromEnv } from '../config/credentials';
import type { DisplaySettings } from '../config/schema/display';
import type { Config } from '../config/types';
import { buildLedger } from '../ledger/build-ledger';
import { jsonLogger, type Logger } from '../log';
import { webhookSecrets } from '../notify/webhook-schema';
import type { Webhook } from '../notify/webhook-types';
import { paletteFor } from '../render/colour';
import { formatTable } from '../render/format-table';
import type { SweepReport } from '../sweep/report';
import { runSweep } from '../sweep/sweep';
import type { TargetApi } from '../sweep/target-input';
import { buildTargets } from '../wiring';
import { type CliArgs, DEFAULT_DEADLINE, parseCliArgs } from './args';
import { displayFor } from './display';
import { SWEEP_EXIT_STATUSES, signalExitCode, sweepExitCode } from './exit-codes';
import { humanLogger } from './human-logger';
import { Interrupt } from './interrupt';
import type { CliIo } from './io';
import { loadConfig } from './load-config';
import { notifyFromCli } from './notify-option';
import { SweepProgress } from './progress';
import { readSecretWebhooks } from './secret-file';
import { subcommand } from './subcommand';
import { restartOf, wrapClient } from './wrap-client';

const USAGE = `Usage: dataarts-autoretry [sweep] --config <file.json> [options]

Reruns failed DataArts Factory job instances that policy allows, once per sweep.

Options:
  -c, --config <file>        configuration file (JSON, // comments allowed; see config.schema.json)
      --dry-run              decide and explain, but restart nothing and record nothing
      --json                 print exactly one JSON SweepReport on stdout (logs go to stderr)
      --job <glob>           only jobs matching this glob (repeatable; replaces policy.jobs)
      --lookback <duration>  how far back to look, e.g. 6h, 2d (replaces policy.lookback)
      --ignore-storm-guard   restart even if a storm is suspected (a one-off sweep; reported)
      --deadline <duration>  how long the sweep may run, e.g. 5m (default ${DEFAULT_DEADLINE}): no
                             restart starts that could outlast it; what is left is reported deferred
      --notify[=<policy>]    send the sweep's summary to the webhooks of --secret-file;
                             policy always, on-activity (default) or on-problem
      --secret-file <file>   JSON shaped like the Lambda's secret; only "webhooks" is read
      --all                  every decision in the report (default: the first 50 of each
                             outcome per target) and one table row per instance
      --verbose              log every decision to stderr
  -h, --help                 show this help
  -V, --version              print the version

On a terminal: progress on stderr, colour (NO_COLOR turns it off), a table cut to the
terminal's width, times in display.timeZone. Piped output is plain and stable.
Ctrl-C stops new restarts, waits briefly for those in flight and prints the partial report
(exit 130; SIGTERM: 143).

Credentials (environment):
  HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK [, HUAWEICLOUD_SDK_SECURITY_TOKEN]
  or HUAWEICLOUD_IAM_USER, HUAWEICLOUD_IAM_PASSWORD, HUAWEICLOUD_IAM_DOMAIN [, HUAWEICLOUD_IAM_ENDPOINT]
`;

/** How often the progress line is redrawn. */
const PROGRESS_EVERY_MS = 1_000;

function loggerFor(args: CliArgs, io: CliIo, webhooks: readonly Webhook[], progress: SweepProgress): Logger {
  const level = args.verbose ? 'debug' : 'warn';
  const write = (text: string) => io.stderr.write(text);
  // JSON lines for machines (and for --json, whose readers parse stderr too); sentences for people.
  if (!io.stderr.isTTY || args.json) return jsonLogger(level, write, {}, webhookSecrets(webhooks));
  return humanLogger({
    level,
    write,
    palette: paletteFor(io.stderr, io.env),
    redact: webhookSecrets(webhooks),
    before: () => progress.clear(),
  });
}

/** The report for a person (table) or a program (--json). */
function render(report: SweepReport, args: CliArgs, io: CliIo, display: DisplaySettings): string {
  if (args.json) return `${JSON.stringify(report, null, 2)}\n`;
  const tty = Boolean(io.stdout.isTTY);
  return formatTable(report, {
    locale: display.locale,
    timeZone: display.timeZone,
    all: args.all,
    palette: paletteFor(io.stdout, io.env),
    ...(tty ? { width: io.stdout.columns ?? 80, now: io.now() } : {}),
  });
}

async function sweep(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseCliArgs(argv);
  const config: Config = await loadConfig(args.config as string, {
    jobs: args.jobs,
    lookback: args.lookback,
  });
  const credentials = credentialsFromEnv(io.env as NodeJS.ProcessEnv);
  // Read before sweeping: a bad secret file must not cost a sweep.
  const webhooks: Webhook[] = args.notify ? await readSecretWebhooks(args.secretFile as string) : [];
  const clock = { now: io.now };
  const progress = new SweepProgress(io.stderr, io.now, config.policy.maxRestartsPerSweep);
  const logger = loggerFor(args, io, webhooks, progress);
  const interrupt = new Interrupt(io, () => progress.inFlightNow(), io.later);
  const deadline = io.now() + args.deadline.ms;
  interrupt.deadline(args.deadline.ms, `--deadline of ${args.deadline.text}`);
  const targets = buildTargets(config, credentials, clock).map(({ target, client }) => ({
    target,
    client: withSignal(progress.wrap(client), interrupt.hard.signal),
  }));
  const ticker =
    io.stderr.isTTY && !args.json ? setInterval(() => progress.tick(), PROGRESS_EVERY_MS) : undefined;
  ticker?.unref();
  const report = await runSweep(
    { config, targets, ledger: buildLedger(config.ledger), clock, logger },
    {
      dryRun: args.dryRun,
      deadline,
      signal: interrupt.soft.signal,
      ...(args.ignoreStormGuard ? { ignoreStormGuard: true } : {}),
      ...(args.all ? { itemsPerOutcome: Number.POSITIVE_INFINITY } : {}),
    },
  ).finally(() => {
    clearInterval(ticker);
    progress.clear();
    interrupt.close();
  });
  io.stdout.write(render(report, args, io, displayFor(config.display, io.env)));
  const notified = args.notify
    ? await notifyFromCli(report, config, args.notify, webhooks, logger)
    : undefined;
  for (const f of notified?.failed ?? [])
    io.stderr.write(`dataarts-autoretry: notification failed: ${f.channel}: ${f.code} ${f.message}\n`);
  const code = finish(report, notified?.failed?.length ?? 0, io);
  // A stopped sweep's report lacks what it did not reach: that is not "a target failed".
  return interrupt.signal === undefined ? code : signalExitCode(interrupt.signal);
}

/** Says why the exit status is not 0, on stderr. */
function finish(report: SweepReport, notifyFailures: number, io: CliIo): number {
  const code = sweepExitCode(report, notifyFailures);
  const failed = report.targets.filter((t) => t.error);
  if (code === 3)
    io.stderr.write(
      `dataarts-autoretry: authentication failed on every target (${failed[0]?.error?.message})\n`,
    );
  if (code === 4)
    io.stderr.write(
      `dataarts-autoretry: ${failed.length} of ${report.targets.length} target(s) could not be swept: ${failed.map((t) => `${t.target} (${t.error?.code})`).join(', ')}\n`,
    );
  return code;
}

/**
 * The client with restarts sent under `hard` instead of the sweep's signal: Ctrl-C
 * aborts the sweep's signal (no new claims) while restarts already sent get the grace
 * period to answer (see Interrupt).
 */
function withSignal(client: TargetApi, hard: AbortSignal): TargetApi {
  const restart = restartOf(client);
  return wrapClient(client, {
    restartInstance: (jobName, instanceId, options) => restart(jobName, instanceId, options, hard),
  });
}

export const sweepCommand = subcommand(
  'sweep',
  'list failed instances and restart those policy allows (the default)',
  USAGE,
  SWEEP_EXIT_STATUSES,
  sweep,
);
