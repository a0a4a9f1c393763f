import { realSleep, type Sleep } from '../util/time';

/**
 * Spaces requests to at most `ratePerSecond`, allowing `burst` back to back
 * (GCRA, the generic cell rate algorithm). One limiter serves every target of an
 * account (the gateway counts requests per user), and a 429 pauses all of them until
 * the server's Retry-After has passed.
 */
export class RateLimiter {
  private readonly intervalMs: number;
  private theoreticalArrival = 0;

  constructor(
    ratePerSecond: number,
    private readonly burst = 1,
    private readonly now: () => number = () => performance.now(),
    private readonly sleep: Sleep = realSleep,
  ) {
    this.intervalMs = 1000 / ratePerSecond;
  }

  /**
   * Resolves when the caller may send one request; rejects with the signal's reason
   * when `signal` fires first. An abandoned slot is not handed back: the others keep
   * their place in the schedule, which only costs one interval.
   */
  async acquire(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    const now = this.now();
    const arrival = Math.max(this.theoreticalArrival, now);
    const wait = arrival - now - (this.burst - 1) * this.intervalMs;
    this.theoreticalArrival = arrival + this.intervalMs;
    if (wait > 0) await this.sleep(wait, signal);
    // A fake sleep may ignore the signal: never let an aborted caller through.
    signal?.throwIfAborted();
  }

  /** Nobody sends before `delayMs` from now (the server said so). */
  pause(delayMs: number): void {
    this.theoreticalArrival = Math.max(this.theoreticalArrival, this.now() + delayMs);
  }
}
