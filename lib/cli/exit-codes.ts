import { constants } from 'node:os';
import { AuthenticationError, ConfigError } from '../errors';
import { authFailedEverywhere, type SweepReport } from '../sweep/report';
import { failedTargets } from '../sweep/target-failures';

/**
 * The command line's exit status. A cron job or CI step reads only this, so a setup
 * that sweeps nothing (wrong endpoint, project, network, ledger) must not exit 0.
 */
export const EXIT = {
  OK: 0,
  FAILED: 1,
  USAGE: 2,
  AUTH_EVERYWHERE: 3,
  TARGET_FAILED: 4,
  NOTIFY_FAILED: 5,
  /** 128 + the signal's number, as shells report a command a signal ended. */
  INTERRUPTED: 128 + constants.signals.SIGINT,
  TERMINATED: 128 + constants.signals.SIGTERM,
} as const;

/**
 * The status of a sweep a signal stopped (after its partial report): 130 for Ctrl-C,
 * 143 for SIGTERM, so a cron job or CI step tells "stopped" from "a target failed".
 */
export function signalExitCode(signal: string): number {
  const number = constants.signals[signal as NodeJS.Signals];
  return number === undefined ? EXIT.INTERRUPTED : 128 + number;
}

/** A command's exit statuses, each with what it means for that command, in `--help`'s order. */
export type ExitStatuses = readonly (readonly [status: number, meaning: string])[];

/** The statuses a command's help names (lib/text/cli-messages.ts), in numeric order. */
export function exitStatuses(meanings: Partial<Record<keyof typeof EXIT, string>>): ExitStatuses {
  return (Object.entries(meanings) as [keyof typeof EXIT, string][])
    .map(([name, meaning]) => [EXIT[name], meaning] as const)
    .sort(([a], [b]) => a - b);
}

/** The `Exit status:` block of a command's help, under `heading`. */
export function exitStatusHelp(statuses: ExitStatuses, heading: string): string {
  return `${heading}\n${statuses.map(([status, meaning]) => `  ${status}  ${meaning}\n`).join('')}`;
}

/** The worst thing a sweep's report (and its notification) says, as an exit status. */
export function sweepExitCode(report: SweepReport, notifyFailures: number): number {
  if (authFailedEverywhere(report)) return EXIT.AUTH_EVERYWHERE;
  if (failedTargets(report).length > 0) return EXIT.TARGET_FAILED;
  return notifyFailures > 0 ? EXIT.NOTIFY_FAILED : EXIT.OK;
}

/** The exit status of an error that stopped a command. */
export function exitCodeOf(error: unknown): number {
  if (error instanceof ConfigError) return EXIT.USAGE;
  if (error instanceof AuthenticationError) return EXIT.AUTH_EVERYWHERE;
  return EXIT.FAILED;
}
