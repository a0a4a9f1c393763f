import { realSleep, type Sleep } from '../util/time';

/**
 * Spaces requests to at most `ratePerSecond`, allowing `burst` back to back
 * (GCRA, the generic cell rate algorithm). A 429 pauses every caller of the same
 * target until the server's Retry-After has passed.
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

  /** Resolves when the caller may send one request. */
  async acquire(): Promise<void> {
    const now = this.now();
    const arrival = Math.max(this.theoreticalArrival, now);
    const wait = arrival - now - (this.burst - 1) * this.intervalMs;
    this.theoreticalArrival = arrival + this.intervalMs;
    if (wait > 0) await this.sleep(wait);
  }

  /** Nobody sends before `delayMs` from now (the server said so). */
  pause(delayMs: number): void {
    this.theoreticalArrival = Math.max(this.theoreticalArrival, this.now() + delayMs);
  }
}
