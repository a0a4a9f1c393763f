import { CLI_MESSAGES, type CliMessages } from '../text/cli-messages';
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
    /** The reader's words for what it says on stderr (English by default). */
    private readonly words: CliMessages['interrupt'] = CLI_MESSAGES.en.interrupt,
  ) {
    this.dispose = io.onInterrupt((signal) => this.on(signal));
  }

  private on(signal: string): void {
    // The abort's reason is for logs and the report (English); `what` is for the person.
    if (this.soft.signal.aborted) {
      this.io.stderr.write(`\n${this.words.again(signal)}\n`);
      this.io.exitNow(signalExitCode(signal));
      return;
    }
    this.signal = signal;
    this.stop(`interrupted by ${signal}`, this.words.interrupted(signal), this.words.quitHint(signal));
  }

  /**
   * Stops the sweep like Ctrl-C once `ms` have passed (the sweep's --deadline): the
   * sweep plans within that deadline, so this only ends what could not finish.
   */
  deadline(ms: number, text: string): void {
    // A timer of its own (not `later`, the grace period's): close() clears it.
    this.deadlineTimer = setTimeout(() => {
      if (!this.soft.signal.aborted)
        this.stop(`the --deadline of ${text} has passed`, this.words.deadlinePassed(text));
    }, ms);
    this.deadlineTimer.unref();
  }

  private stop(reason: string, what: string, hint?: string): void {
    this.soft.abort(new Error(reason));
    const open = this.inFlight();
    const waiting =
      open.length === 0 ? this.words.nothingInFlight : this.words.waiting(this.graceMs / 1000, open);
    this.io.stderr.write(`\n${this.words.stopped(what, waiting, hint)}\n`);
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
