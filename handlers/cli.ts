import { readFile } from 'node:fs/promises';
import { type CliArgs, parseCommand, USAGE } from '../lib/cli/args';
import { notifyFromCli } from '../lib/cli/notify-sweep';
import { runNotifyTest } from '../lib/cli/notify-test';
import { readSecretWebhooks } from '../lib/cli/secret-file';
import { credentialsFromEnv } from '../lib/config/credentials';
import { parseConfigText } from '../lib/config/parse';
import { AuthenticationError, ConfigError } from '../lib/errors';
import { jsonLogger } from '../lib/log';
import type { Webhook } from '../lib/notify/webhook';
import { webhookSecrets } from '../lib/notify/webhook-schema';
import { formatTable } from '../lib/sweep/format-table';
import { authFailedEverywhere } from '../lib/sweep/report';
import { runSweep } from '../lib/sweep/sweep';
import { systemClock } from '../lib/util/time';
import { buildLedger, buildTargets } from '../lib/wiring';

/** The command line: a one-off sweep, or `notify test`. */
async function main(argv: string[]): Promise<number> {
  const command = parseCommand(argv);
  if (command.command === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  if (command.command === 'notify-test') {
    const webhooks = await readSecretWebhooks(command.args.secretFile);
    return runNotifyTest(command.args, {
      webhooks,
      logger: jsonLogger('warn', (line) => process.stderr.write(line), {}, webhookSecrets(webhooks)),
      now: Date.now,
      write: (text) => process.stdout.write(text),
    });
  }
  return sweep(command.args);
}

/** Reads flags, config and credentials, runs one sweep, prints it, and notifies with --notify. */
async function sweep(args: CliArgs): Promise<number> {
  const text = await readFile(args.config as string, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new ConfigError('--config', `cannot read ${args.config}: ${error.code ?? error.message}`);
  });
  const withOverrides = applyOverrides(text, args.jobs, args.lookback);
  const config = parseConfigText(withOverrides, args.config as string);
  const credentials = credentialsFromEnv(process.env);
  // Read before sweeping: a bad secret file must not cost a sweep.
  const webhooks: Webhook[] = args.notify ? await readSecretWebhooks(args.secretFile as string) : [];
  const logger = jsonLogger(
    args.verbose ? 'debug' : 'warn',
    (line) => process.stderr.write(line),
    {},
    webhookSecrets(webhooks),
  );
  const interrupt = stopOnSignal();
  const report = await runSweep(
    {
      config,
      targets: buildTargets(config, credentials, systemClock),
      ledger: buildLedger(config.ledger),
      clock: systemClock,
      logger,
    },
    { dryRun: args.dryRun, signal: interrupt.signal },
  ).finally(interrupt.dispose);
  process.stdout.write(args.json ? `${JSON.stringify(report, null, 2)}\n` : formatTable(report));
  const notified = args.notify
    ? await notifyFromCli(report, config, args.notify, webhooks, logger)
    : undefined;
  for (const f of notified?.failed ?? [])
    process.stderr.write(`dataarts-autoretry: notification failed: ${f.channel}: ${f.code} ${f.message}\n`);
  if (authFailedEverywhere(report)) {
    process.stderr.write(
      `dataarts-autoretry: authentication failed on every target (${report.targets[0]?.error?.message})\n`,
    );
    return 3;
  }
  return notified?.failed?.length ? 4 : 0;
}

/**
 * The first Ctrl-C (or SIGTERM) stops the sweep: nothing new is claimed, requests in
 * flight end (a restart cut off is reported unconfirmed and stays counted), and the
 * report is printed. A second one exits at once.
 */
function stopOnSignal(): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write(`dataarts-autoretry: ${name}: stopping; the report follows (again to quit now)\n`);
    controller.abort(new Error(`interrupted by ${name}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

/** --job and --lookback replace the file's policy.jobs and policy.lookback before validation. */
function applyOverrides(text: string, jobs: string[], lookback: string | undefined): string {
  if (jobs.length === 0 && lookback === undefined) return text;
  let raw: { policy?: Record<string, unknown> };
  try {
    raw = JSON.parse(text);
  } catch {
    return text; // parseConfigText reports it
  }
  raw.policy = { ...(raw.policy ?? {}) };
  if (jobs.length > 0) raw.policy.jobs = jobs;
  if (lookback !== undefined) raw.policy.lookback = lookback;
  return JSON.stringify(raw);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof ConfigError) {
      for (const issue of error.issues)
        process.stderr.write(`dataarts-autoretry: invalid ${issue.field}: ${issue.problem}\n`);
      process.exitCode = 2;
    } else if (error instanceof AuthenticationError) {
      process.stderr.write(`dataarts-autoretry: ${error.message}\n`);
      process.exitCode = 3;
    } else {
      process.stderr.write(
        `dataarts-autoretry: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n`,
      );
      process.exitCode = 1;
    }
  },
);
