/**
 * What the emulator is told and what it records: its options, the faults a test can
 * inject, the routes, and each request as it was answered. `server.ts` re-exports them
 * with `startEmulator`, the emulator's entry.
 */
import type { Clock } from '../lib/util/time';
import type { Outage } from './outage';

export type Route = 'list' | 'show' | 'restart' | 'token';

export type FaultKind =
  | 403
  | 500
  | 502
  | 503
  | 504
  | 429
  | 'hang'
  | 'reset'
  | 'malformed-json'
  | 'unknown-fields'
  | 'instance-vanished'
  /** Someone else reran the instance between list and restart: it is running now. */
  | 'status-changed'
  /** Answer 200 with `body` as it is (malformed shapes, huge answers). */
  | 'custom'
  /** 404 APIGW.0101: the gateway has no such route (wrong host, API not published). */
  | 'route-missing'
  /** 400 DLF.6888: the account lacks permissions. */
  | 'no-permission'
  /** 401 APIGW.0301 on this request only (e.g. a credential revoked mid-sweep). */
  | 401
  /** 400 APIGW.0106: the gateway says a required header is missing. */
  | 'header-missing'
  /** The answer (list or show) leaves out `endTime`, as seen on finished instances. */
  | 'end-time-missing';

/** How error bodies are shaped: the usual one, and the two Huawei's SDK core also reads. */
export type ErrorShape = 'error_code' | 'code' | 'nested';

export interface Fault {
  route: Route | 'any';
  kind: FaultKind;
  /** Only the nth request of that route (1-based) gets it; otherwise the next ones. */
  nth?: number;
  /** How many requests get it (default 1). */
  times?: number;
  /**
   * For restart: accept the restart, then answer with the fault (unknown outcome).
   * With `restartLagMs` the rerun is pending when the fault is answered.
   * Ignored for 429, 503, 'route-missing' and 'no-permission', which are answered
   * before DataArts sees the request.
   */
  processed?: boolean;
  /** For 429/503: send Retry-After (seconds). */
  retryAfterSeconds?: number;
  /** For `custom`. */
  body?: string;
}

export interface EmulatorOptions {
  clock: Clock;
  /** TCP port on 127.0.0.1 (default 0: one the OS picks). */
  port?: number;
  /** Access key -> secret key. */
  accessKeys?: Record<string, string>;
  /** IAM users that may get a token: `${domain}/${user}` -> password. */
  users?: Record<string, string>;
  /** Token lifetime on the emulator clock. */
  tokenTtlMs?: number;
  /**
   * What `offset` means: page index (default) or record offset (what Huawei's own
   * Terraform provider does with sibling DataArts APIs, and a public client assumes).
   */
  offsetMode?: 'page' | 'record';
  /**
   * Reject list requests whose `maxPlanTime - minPlanTime` exceeds this (400), `limit=1`
   * counts included. Default 7 days, as a recent edition; `Infinity` turns it off.
   */
  maxWindowMs?: number;
  /** Which time the window filters on: plan time (older docs, default) or start time (newer). */
  timeField?: 'planTime' | 'startTime';
  /**
   * Order of the list answer: newest plan time first (default), or `unordered`: a
   * stable order unrelated to time, each page shuffled as well (the order is undocumented).
   */
  listOrder?: 'newest-first' | 'unordered';
  /** Every page after the first repeats this many records of the page before it (default 0). */
  pageOverlap?: number;
  /**
   * The `total` the list answer claims, from the true count: a lying server over- or
   * under-reports, or caps it at the page size. Default: the true count.
   */
  reportTotal?: (actual: number, query: { limit: number; offset: number }) => number;
  /** Requests per second over all routes; beyond it 429 APIG.0308. */
  rateLimit?: { perSecond: number; burst?: number; retryAfterSeconds?: number };
  /** Added before every answer, real milliseconds. */
  latencyMs?: number;
  /**
   * Emulator-clock ms between accepting a restart and the rerun becoming visible
   * (default 0: at once). Until then list and show keep the old status and endTime.
   */
  restartLagMs?: number;
  /**
   * Accept a restart of a `running` or `waiting` instance too (booked against its last
   * ended run) instead of 400 DLF.EMU3. Default false.
   */
  acceptRunningRestart?: boolean;
  /** Every request moves the clock this much when it arrives (default 0). */
  advanceOnRequestMs?: number;
  /** How to move the clock; default: the clock's own `advance` (ManualClock has one). */
  advance?: (ms: number) => void;
  /**
   * List bounds are strict, `> minPlanTime` and `< maxPlanTime`, as every edition and
   * SDK model documents (default true); false reads both ends inclusively (lenient).
   */
  strictBounds?: boolean;
  /**
   * A POST without Content-Type gets 400 APIGW.0106, as the real gateway (default
   * true); false plays a lenient gateway.
   */
  requireContentType?: boolean;
  /** Prefix of every gateway code: 'APIGW' (default, the current docs) or the older pages' 'APIG'. */
  gatewayPrefix?: 'APIGW' | 'APIG';
  /**
   * Error body shape: 'error_code' (default, `{error_code, error_msg}`), or the two
   * others Huawei's SDK core reads: 'code' (`{code, message}`) and 'nested'
   * (`{"error": {code, message}}`).
   */
  errorShape?: ErrorShape;
  /** Outages from the start (see `Emulator.declareOutage` and outage.ts). */
  outages?: readonly Outage[];
}

export interface RecordedRequest {
  route: Route | 'unknown';
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  status: number;
  /** Sent back as the X-Request-Id header (and `request_id` of gateway errors). */
  requestId: string;
}
