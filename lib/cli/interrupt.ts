import { signalExitCode } from './exit-codes';
import type { CliIo } from './io';

/** How long Ctrl-C waits for restarts already sent before cutting them off. */
export const GRACE_MS = 5_000;

/**
 * Ctrl-C (or SIGTERM) in two steps. The first stops new claims at once (`soft`, the
 * sweep's signal), says what is in flight, and gives those restarts `graceMs` to answer
 * before cutting them off (`hard`, their requests' signal): an answer is a known outcome,
 * a cut-off restart is reported unconfirmed. The second exits at once.
 */
export class Interrupt {
  readonly soft = new AbortController();
  readonly hard = new AbortController();
  /** The signal that stopped the sweep (not its --deadline): the exit status says so. */
  signal: string | undefined;
  private readonly dispose: () => void;
  private deadlineTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly io: CliIo,
    private readonly inFlight: () => string[],
    private readonly later: (run: () => void, ms: number) => void = defaultLater,
    private readonly graceMs = GRACE_MS,
  ) {
    this.dispose = io.onInterrupt((signal) => this.on(signal));
  }

  private on(signal: string): void {
    if (this.soft.signal.aborted) {
      this.io.stderr.write(`\ndataarts-autoretry: ${signal} again: exiting now\n`);
      this.io.exitNow(signalExitCode(signal));
      return;
    }
    this.signal = signal;
    this.stop(`interrupted by ${signal}`, signal, `${signal} again to quit now`);
  }

  /**
   * Stops the sweep like Ctrl-C once `ms` have passed (the sweep's --deadline): the
   * sweep plans within that deadline, so this only ends what could not finish.
   */
  deadline(ms: number, name: string): void {
    // A timer of its own (not `later`, the grace period's): close() clears it.
    this.deadlineTimer = setTimeout(() => {
      if (!this.soft.signal.aborted) this.stop(`the ${name} has passed`, `the ${name} has passed`);
    }, ms);
    this.deadlineTimer.unref();
  }

  private stop(reason: string, what: string, hint?: string): void {
    this.soft.abort(new Error(reason));
    const open = this.inFlight();
    const waiting =
      open.length === 0
        ? 'nothing in flight'
        : `waiting up to ${this.graceMs / 1000} s for ${open.length} restart(s) in flight: ${open.slice(0, 5).join(', ')}${open.length > 5 ? ', ...' : ''}`;
    this.io.stderr.write(
      `\ndataarts-autoretry: ${what}: no new restarts; ${waiting}; the partial report follows${hint ? ` (${hint})` : ''}\n`,
    );
    this.later(() => this.hard.abort(new Error(reason)), this.graceMs);
  }

  /** Stops listening (the sweep is over) and lets nothing wait on the grace timer. */
  close(): void {
    this.dispose();
    clearTimeout(this.deadlineTimer);
    if (!this.hard.signal.aborted) this.hard.abort(new Error('sweep over'));
  }
}

function defaultLater(run: () => void, ms: number): void {
  setTimeout(run, ms).unref();
}
