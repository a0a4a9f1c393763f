import { randomUUID } from 'node:crypto';
import type { RetryRule } from '../config/types';
import type { DataArtsClient } from '../dataarts/client';
import type { Instance } from '../dataarts/instance';
import {
  AuthenticationError,
  AuthorizationError,
  type DataArtsError,
  describeError,
  GatewayRefusedError,
  InstanceNotFoundError,
  MalformedResponseError,
  RestartRejectedError,
  TransientError,
} from '../errors';
import type { AttemptOutcome, InstanceKey } from '../ledger/ledger';
import { backoffDelay } from '../policy/backoff';
import { untilAborted } from '../util/abort';
import type { AttemptsPort } from './ports';

export type RestartOutcome =
  | { kind: 'restarted'; settleError?: { code: string; message: string } }
  | { kind: 'claimed-elsewhere' }
  /** The request was refused or failed; `counted` says whether the attempt stays in the budget. */
  | {
      kind: 'failed';
      code: string;
      message: string;
      counted: boolean;
      unconfirmed: boolean;
      haltTarget: boolean;
      /** For a systemic refusal: the code that names it (`APIGW.0101`) and its request id. */
      refusal?: string;
      settleError?: { code: string; message: string };
    };

export interface RestartContext {
  client: Pick<DataArtsClient, 'restartInstance'>;
  ledger: AttemptsPort;
  now: () => number;
  random: () => number;
  retentionMs: number;
  /** How long a claim belongs to this sweep: longer than one restart call can take. */
  leaseMs: number;
  signal?: AbortSignal;
}

export interface AttemptPlan {
  key: InstanceKey;
  instance: Instance;
  rule: RetryRule;
  attempt: number;
  /** The failure this attempt answers (see `failureTime`). */
  failureAt: number;
  /**
   * That failure's `startTime` and `endTime` as answered (lib/policy/failure-identity.ts);
   * undefined when the answer left it out (the claim then carries no such key).
   */
  failureStart?: number | undefined;
  failureEnd?: number | undefined;
  /** When the listing that showed that failure began. */
  observedAt: number;
}

/**
 * One attempt, in the order that keeps every promise whatever fails: claim it in
 * the ledger (in flight, leased, naming the failure it answers), send the restart
 * once, then settle it as its owner. The claim is released only when the request
 * certainly never reached DataArts; an outcome that is unknown stays counted as
 * `unconfirmed`, and a later sweep sees from the instance what DataArts did.
 */
export async function restartOne(context: RestartContext, plan: AttemptPlan): Promise<RestartOutcome> {
  const { ledger, client } = context;
  const { key, instance, rule, attempt } = plan;
  const now = context.now();
  const claimId = randomUUID();
  const claimed = await untilAborted(
    ledger.claim(key, {
      expectedAttempts: attempt - 1,
      maxAttempts: rule.maxAttempts,
      now,
      notBefore: now + backoffDelay(attempt, rule.backoff, context.random),
      expiresAt: now + context.retentionMs,
      claimId,
      leaseUntil: now + context.leaseMs,
      failureAt: plan.failureAt,
      ...(plan.failureStart === undefined ? {} : { failureStart: plan.failureStart }),
      ...(plan.failureEnd === undefined ? {} : { failureEnd: plan.failureEnd }),
      observedAt: plan.observedAt,
    }),
    context.signal,
  );
  if (!claimed) return { kind: 'claimed-elsewhere' };

  const settle = (outcome: AttemptOutcome, code?: string) =>
    ledger
      .settle(key, { attempt, claimId, at: context.now(), outcome, ...(code ? { code } : {}) })
      .then(() => undefined)
      .catch((error: unknown) => describeError(error));
  try {
    await client.restartInstance(instance.jobName, instance.instanceId, rule.restart, context.signal);
  } catch (error) {
    return failed(context, plan, claimId, error, settle);
  }
  const settleError = await settle('restarted');
  return { kind: 'restarted', ...(settleError ? { settleError } : {}) };
}

async function failed(
  context: RestartContext,
  plan: AttemptPlan,
  claimId: string,
  error: unknown,
  settle: (outcome: AttemptOutcome, code?: string) => Promise<{ code: string; message: string } | undefined>,
): Promise<RestartOutcome> {
  const { code, message } = describeError(error);
  const systemic = isSystemicRefusal(error);
  if (systemic || neverSent(error)) {
    // Never processed: the attempt is given back (only the owner can, only while in flight).
    const released = await context.ledger
      .release(plan.key, plan.attempt, claimId, context.now())
      // Stryker disable next-line ArrowFunction: equivalent, `undefined` is read as `false` (not released, still counted).
      .catch(() => false);
    return {
      kind: 'failed',
      code,
      message,
      counted: !released,
      unconfirmed: false,
      haltTarget: systemic,
      ...(systemic ? { refusal: refusalName(error as DataArtsError) } : {}),
    };
  }
  const outcome: AttemptOutcome =
    error instanceof InstanceNotFoundError
      ? 'not-found'
      : error instanceof RestartRejectedError
        ? 'rejected'
        : 'unconfirmed';
  const settleError = await settle(outcome, (error as { dlfCode?: string }).dlfCode ?? code);
  return {
    kind: 'failed',
    code,
    message,
    counted: true,
    unconfirmed: outcome === 'unconfirmed',
    haltTarget: false,
    ...(settleError ? { settleError } : {}),
  };
}

/**
 * Refusals that never reached the instance and say nothing about it: authentication
 * (401), authorization (403, DLF.6888) and the gateway's own (APIGW.0101, APIGW.0106).
 * The attempt is released and the target stops: the next instance would get the same.
 */
function isSystemicRefusal(error: unknown): boolean {
  return (
    error instanceof AuthenticationError ||
    error instanceof AuthorizationError ||
    error instanceof GatewayRefusedError
  );
}

/** Certainly not sent: refused before sending, or a failure that proves nothing left. */
function neverSent(error: unknown): boolean {
  if (error instanceof TransientError) return !error.sent;
  return error instanceof MalformedResponseError && error.code === 'UNSAFE_PATH';
}

/** `APIGW.0101 (HTTP 404, request id ...)`: what an operator quotes to Huawei support. */
export function refusalName(error: DataArtsError): string {
  const parts = [
    ...(error.status === undefined ? [] : [`HTTP ${error.status}`]),
    ...(error.requestId ? [`request id ${error.requestId}`] : []),
  ];
  const name = error.dlfCode ?? error.code;
  return parts.length === 0 ? name : `${name} (${parts.join(', ')})`;
}
