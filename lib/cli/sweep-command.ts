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
import { CLI_MESSAGES, type CliMessages } from '../text/cli-messages';
import { buildTargets } from '../wiring';
import { type CliArgs, parseCliArgs } from './args';
import { displayFor } from './display';
import { EXIT, signalExitCode, sweepExitCode } from './exit-codes';
import { humanLogger } from './human-logger';
import { Interrupt } from './interrupt';
import type { CliIo } from './io';
import { loadConfig } from './load-config';
import { notifyFromCli } from './notify-option';
import { SweepProgress } from './progress';
import { readSecretWebhooks } from './secret-file';
import { subcommand } from './subcommand';
import { restartOf, wrapClient } from './wrap-client';

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
  const display = displayFor(config.display, io.env);
  const m = CLI_MESSAGES[display.locale];
  const progress = new SweepProgress(io.stderr, io.now, config.policy.maxRestartsPerSweep, m);
  const logger = loggerFor(args, io, webhooks, progress);
  const interrupt = new Interrupt(io, () => progress.inFlightNow(), io.later, undefined, m.interrupt);
  const deadline = io.now() + args.deadline.ms;
  interrupt.deadline(args.deadline.ms, args.deadline.text);
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
  io.stdout.write(render(report, args, io, display));
  const notified = args.notify
    ? await notifyFromCli(report, config, args.notify, webhooks, logger)
    : undefined;
  for (const f of notified?.failed ?? [])
    io.stderr.write(`${m.notificationFailed(f.channel, f.code, f.message)}\n`);
  const code = finish(report, notified?.failed?.length ?? 0, io, m);
  // A stopped sweep's report lacks what it did not reach: that is not "a target failed".
  return interrupt.signal === undefined ? code : signalExitCode(interrupt.signal);
}

/** Says why the exit status is not 0, on stderr. */
function finish(report: SweepReport, notifyFailures: number, io: CliIo, m: CliMessages): number {
  const code = sweepExitCode(report, notifyFailures);
  const failed = report.targets.filter((t) => t.error);
  if (code === EXIT.AUTH_EVERYWHERE)
    io.stderr.write(`${m.authEverywhere(failed[0]?.error?.message ?? '')}\n`);
  if (code === EXIT.TARGET_FAILED) {
    const list = failed.map((t) => `${t.target} (${t.error?.code})`).join(', ');
    io.stderr.write(`${m.targetsFailed(failed.length, report.targets.length, list)}\n`);
  }
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

export const sweepCommand = subcommand('sweep', sweep);
