import type { RestartOptions } from '../dataarts/client';
import type { PagingMode } from '../dataarts/list-instances';

/** One DataArts project/workspace to sweep. */
export interface TargetConfig {
  /** Unique, stable name: part of every ledger key. */
  readonly name: string;
  /** DLF endpoint, e.g. https://dayu-dlf.cn-north-4.myhuaweicloud.com */
  readonly endpoint: string;
  readonly projectId: string;
  readonly workspace?: string;
  /** IAM endpoint for password tokens (only with IAM user credentials). */
  readonly iamEndpoint?: string;
}

export type LedgerConfig =
  | {
      readonly type: 'dynamodb';
      readonly table: string;
      readonly endpoint?: string;
      readonly region?: string;
      readonly retentionMs: number;
    }
  | { readonly type: 'file'; readonly path: string; readonly retentionMs: number };

export type Jitter = 'equal' | 'full' | 'none';

export interface BackoffConfig {
  readonly baseMs: number;
  readonly factor: number;
  readonly maxMs: number;
  readonly jitter: Jitter;
}

/** The retry policy that applies to one job (defaults merged with the first matching rule). */
export interface RetryRule {
  /** Which rule applied: `default` or `rules[i]`. */
  readonly name: string;
  readonly enabled: boolean;
  readonly statuses: readonly string[];
  readonly instanceTypes: readonly number[];
  readonly maxAttempts: number;
  readonly firstRetryDelayMs: number;
  readonly backoff: BackoffConfig;
  readonly restart?: RestartOptions;
  /** Skip an instance when a newer instance of the same job has succeeded. */
  readonly skipSuperseded: boolean;
}

export interface RuleOverride {
  readonly match: readonly string[];
  readonly matchers: readonly RegExp[];
  readonly overrides: Partial<Omit<RetryRule, 'name'>>;
}

export interface StormGuardConfig {
  readonly enabled: boolean;
  /** Storm when more than this many distinct jobs failed in the window. */
  readonly maxFailedJobs: number;
  /** ...or more than this share of the window's instances failed... */
  readonly maxFailedRatio: number;
  /** ...counting the ratio only from this many instances on. */
  readonly minInstances: number;
}

export interface PolicyConfig {
  readonly lookbackMs: number;
  readonly jobs: readonly string[];
  readonly excludeJobs: readonly string[];
  readonly jobMatchers: readonly RegExp[];
  readonly excludeMatchers: readonly RegExp[];
  readonly defaults: RetryRule;
  readonly rules: readonly RuleOverride[];
  readonly maxRestartsPerSweep: number;
  readonly maxRestartsPerHour: number;
  readonly stormGuard: StormGuardConfig;
  /** Restarts (and requests) in flight at once per target. */
  readonly concurrency: number;
  /** Requests per second per target. */
  readonly rateLimit: number;
}

export interface ClientConfig {
  readonly timeoutMs: number;
  readonly retries: number;
  readonly maxRetryAfterMs: number;
  readonly paging: PagingMode;
  readonly maxWindowMs: number;
  /** Requests one listing may make before it fails (LIST_BUDGET_EXCEEDED). */
  readonly maxListRequests: number;
  /**
   * How long DataArts may take to show a restart it accepted; part of every attempt's
   * lease (an unknown outcome frees its failure only after the lease).
   */
  readonly restartLagMs: number;
}

export interface Config {
  readonly targets: readonly TargetConfig[];
  readonly ledger: LedgerConfig;
  readonly policy: PolicyConfig;
  readonly client: ClientConfig;
}
