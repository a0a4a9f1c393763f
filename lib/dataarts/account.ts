import type { AuthenticationError } from '../errors';
import { Semaphore } from '../util/concurrency';
import { realSleep, type Sleep } from '../util/time';
import type { Credentials, TokenSource } from './auth-types';
import { RateLimiter } from './rate-limiter';

/** What the gateway limits per user, so what every target of one credential shares. */
export interface AccountLimits {
  /** Requests per second over all targets of the credential (DataArts allows 30/s per user). */
  ratePerSecond: number;
  /** Requests in flight at once over all targets of the credential. */
  concurrency: number;
}

export interface AccountDeps {
  sleep?: Sleep;
  /** The rate limiter's clock (monotonic milliseconds). */
  now?: () => number;
}

/**
 * Everything one credential shares across the targets that use it: the rate limit
 * and concurrency bound (the gateway counts per user), the stop after a 401 (the
 * gateway locks an AK after 5 bad signatures, IAM a user after 5 failed logins), the
 * auth gate, and one IAM token per project. `id` names the credential without any
 * secret part, so it may be logged.
 */
export class Account {
  readonly limiter: RateLimiter;
  readonly slots: Semaphore;
  /** Until one answer proves the credential, one request at a time. */
  private readonly gate = new Semaphore(1);
  private verified = false;
  private authFailure: AuthenticationError | undefined;
  private readonly tokens = new Map<string, TokenSource>();

  constructor(
    readonly id: string,
    limits: AccountLimits,
    deps: AccountDeps = {},
  ) {
    this.limiter = new RateLimiter(limits.ratePerSecond, 1, deps.now, deps.sleep ?? realSleep);
    this.slots = new Semaphore(limits.concurrency);
  }

  /**
   * Lets one request (with its retries) of this account go ahead; returns its release.
   * While no answer has proved the credential, callers go one at a time, so a wrong
   * key costs one rejected request rather than one per caller. Throws the account's
   * AuthenticationError once a 401 stopped it; rejects when `signal` fires first.
   */
  async admit(signal?: AbortSignal): Promise<() => void> {
    this.throwIfStopped();
    if (this.verified) return () => undefined;
    const release = await this.gate.acquire(signal);
    // The holder before us may have proved or failed the credential meanwhile.
    if (this.verified || this.authFailure) release();
    this.throwIfStopped();
    return this.verified ? () => undefined : release;
  }

  /** An answer that only comes after authentication: the credential works. */
  markVerified(): void {
    this.verified = true;
  }

  /** A 401 fresh credentials cannot fix: every later request of the account fails unsent. */
  stop(error: AuthenticationError): AuthenticationError {
    this.authFailure ??= error;
    return this.authFailure;
  }

  throwIfStopped(): void {
    if (this.authFailure) throw this.authFailure;
  }

  /** The IAM token of one project (tokens are project-scoped), shared by its targets. */
  tokenProvider(projectId: string, create: () => TokenSource): TokenSource {
    let provider = this.tokens.get(projectId);
    if (!provider) {
      provider = create();
      this.tokens.set(projectId, provider);
    }
    return provider;
  }
}

/** Names a credential without its secret: the AK, or `domain/user@iamEndpoint`. */
export function credentialIdentity(credentials: Credentials): string {
  return credentials.kind === 'aksk'
    ? credentials.ak
    : `${credentials.domain}/${credentials.user}@${credentials.iamEndpoint}`;
}

/** One Account per credential identity, built on first use. */
export class AccountPool {
  private readonly accounts = new Map<string, Account>();

  constructor(
    private readonly limits: AccountLimits,
    private readonly deps: AccountDeps = {},
  ) {}

  for(credentials: Credentials): Account {
    const id = credentialIdentity(credentials);
    let account = this.accounts.get(id);
    if (!account) {
      account = new Account(id, this.limits, this.deps);
      this.accounts.set(id, account);
    }
    return account;
  }
}
