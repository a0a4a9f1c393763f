/** The gateway's rate limit over all routes: a token bucket on real time (429 APIGW.0308 beyond it). */
import type { EmulatorOptions } from './options';

type Limit = EmulatorOptions['rateLimit'];

export class GatewayRateLimit {
  private bucket = { tokens: 0, at: 0 };

  constructor(private limit: Limit) {
    this.reset();
  }

  /** A new limit, starting from a full bucket. */
  set(limit: Limit): void {
    this.limit = limit;
    this.reset();
  }

  /** The Retry-After a throttled answer carries, when the limit names one. */
  get retryAfterSeconds(): number | undefined {
    return this.limit?.retryAfterSeconds;
  }

  /** Takes a token for this request; true when none was left. */
  throttled(): boolean {
    if (!this.limit) return false;
    const now = performance.now();
    const capacity = this.limit.burst ?? this.limit.perSecond;
    const { bucket } = this;
    bucket.tokens = Math.min(capacity, bucket.tokens + ((now - bucket.at) / 1000) * this.limit.perSecond);
    bucket.at = now;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return false;
    }
    return true;
  }

  private reset(): void {
    this.bucket = { tokens: this.limit?.burst ?? this.limit?.perSecond ?? 0, at: performance.now() };
  }
}
