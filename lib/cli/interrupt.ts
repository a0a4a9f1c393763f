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
  private readonly dispose: () => void;

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
      this.io.exitNow(130);
      return;
    }
    this.soft.abort(new Error(`interrupted by ${signal}`));
    const open = this.inFlight();
    const what =
      open.length === 0
        ? 'nothing in flight'
        : `waiting up to ${this.graceMs / 1000} s for ${open.length} restart(s) in flight: ${open.slice(0, 5).join(', ')}${open.length > 5 ? ', ...' : ''}`;
    this.io.stderr.write(
      `\ndataarts-autoretry: ${signal}: no new restarts; ${what}; the partial report follows (${signal} again to quit now)\n`,
    );
    this.later(() => this.hard.abort(new Error(`interrupted by ${signal}`)), this.graceMs);
  }

  /** Stops listening (the sweep is over) and lets nothing wait on the grace timer. */
  close(): void {
    this.dispose();
    if (!this.hard.signal.aborted) this.hard.abort(new Error('sweep over'));
  }
}

function defaultLater(run: () => void, ms: number): void {
  setTimeout(run, ms).unref();
}
