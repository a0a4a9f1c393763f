/** Moves the emulator clock as each request arrives (EmulatorOptions.advanceOnRequestMs). */
import type { Clock } from '../lib/util/time';
import type { EmulatorOptions } from './options';

export class RequestClock {
  private stepMs = 0;
  private readonly advance: ((ms: number) => void) | undefined;

  constructor(options: Pick<EmulatorOptions, 'clock' | 'advance'>) {
    this.advance = clockMover(options);
  }

  /** Every request from now on moves the clock `ms`; refused when there is no way to move it. */
  set(ms: number): void {
    if (ms > 0 && !this.advance)
      throw new Error('advanceOnRequestMs needs options.advance or a clock with advance()');
    this.stepMs = ms;
  }

  onRequest(): void {
    if (this.stepMs > 0) this.advance?.(this.stepMs);
  }
}

/** The given `advance`, else the clock's own, else none. */
function clockMover(options: Pick<EmulatorOptions, 'clock' | 'advance'>): ((ms: number) => void) | undefined {
  if (options.advance) return options.advance;
  const clock = options.clock as Clock & { advance?: unknown };
  if (typeof clock.advance === 'function') {
    const advance = clock.advance as (ms: number) => void;
    return (ms) => advance.call(clock, ms);
  }
  return undefined;
}
