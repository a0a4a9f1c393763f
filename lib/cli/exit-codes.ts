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

/** Any command can fail unexpectedly: what 1 means when a command has no other use for it. */
export const UNEXPECTED = 'an unexpected failure';

/** The sweep's exit statuses: also the top-level help's, the sweep being the default command. */
export const SWEEP_EXIT_STATUSES: ExitStatuses = [
  [EXIT.OK, 'done; every target was swept (per-instance errors are in the report)'],
  [EXIT.FAILED, UNEXPECTED],
  [EXIT.USAGE, 'bad arguments, configuration or credentials; nothing was restarted'],
  [EXIT.AUTH_EVERYWHERE, 'authentication failed on every target'],
  [
    EXIT.TARGET_FAILED,
    'at least one target could not be swept (listing, ledger or authentication failed on it)',
  ],
  [EXIT.NOTIFY_FAILED, 'the sweep ran but a notification channel failed'],
  [EXIT.INTERRUPTED, 'interrupted by Ctrl-C (SIGINT); the partial report was printed'],
  [EXIT.TERMINATED, 'stopped by SIGTERM; the partial report was printed'],
];

/** The `Exit status:` block of a command's help. */
export function exitStatusHelp(statuses: ExitStatuses): string {
  return `Exit status:\n${statuses.map(([status, meaning]) => `  ${status}  ${meaning}\n`).join('')}`;
}

export const EXIT_STATUS_HELP = exitStatusHelp(SWEEP_EXIT_STATUSES);

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
