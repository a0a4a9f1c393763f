import type { RetryRule } from '../config/types';
import type { DataArtsClient } from '../dataarts/client';
import type { Instance } from '../dataarts/instance';
import {
  AuthenticationError,
  AuthorizationError,
  describeError,
  InstanceNotFoundError,
  RestartRejectedError,
  TransientError,
} from '../errors';
import type { InstanceKey, Ledger } from '../ledger/ledger';
import { backoffDelay } from '../policy/backoff';

export type RestartOutcome =
  | { kind: 'restarted'; confirmedBy: 'response' | 'reread'; recordError?: { code: string; message: string } }
  | { kind: 'claimed-elsewhere' }
  /** The request was refused or failed; `counted` says whether the attempt stays in the budget. */
  | {
      kind: 'failed';
      code: string;
      message: string;
      counted: boolean;
      unconfirmed: boolean;
      haltTarget: boolean;
    };

export interface RestartContext {
  client: Pick<DataArtsClient, 'restartInstance'>;
  ledger: Ledger;
  now: () => number;
  random: () => number;
  retentionMs: number;
}

/**
 * One attempt, in the order that keeps the budget right whatever fails: claim the
 * attempt (compare-and-set), call restart, record the outcome. (The hourly slot was
 * reserved in bulk by the sweep.) A claim is released only when the request certainly never
 * reached DataArts (connection refused, 429/503 after retries, 401/403); an
 * attempt whose effect is unknown stays counted and is reported unconfirmed.
 */
export async function restartOne(
  context: RestartContext,
  key: InstanceKey,
  instance: Instance,
  rule: RetryRule,
  attempt: number,
): Promise<RestartOutcome> {
  const { ledger } = context;
  const now = context.now();
  const claimed = await ledger.claim(key, {
    expectedAttempts: attempt - 1,
    maxAttempts: rule.maxAttempts,
    now,
    notBefore: now + backoffDelay(attempt, rule.backoff, context.random),
    expiresAt: now + context.retentionMs,
  });
  if (!claimed) return { kind: 'claimed-elsewhere' };

  const expected = {
    status: instance.status,
    ...(instance.endTime === undefined ? {} : { endTime: instance.endTime }),
  };
  try {
    const result = await context.client.restartInstance(
      instance.jobName,
      instance.instanceId,
      rule.restart,
      expected,
    );
    const recordError = await ledger
      .record(key, attempt, { at: context.now(), outcome: 'restarted' })
      .then(() => undefined)
      .catch((error: unknown) => describeError(error));
    return { kind: 'restarted', confirmedBy: result.via, ...(recordError ? { recordError } : {}) };
  } catch (error) {
    const { code, message } = describeError(error);
    const notSent =
      (error instanceof TransientError && !error.sent) ||
      error instanceof AuthenticationError ||
      error instanceof AuthorizationError;
    if (notSent) {
      await ledger.release(key, attempt, context.now());
      return {
        kind: 'failed',
        code,
        message,
        counted: false,
        unconfirmed: false,
        haltTarget: error instanceof AuthenticationError || error instanceof AuthorizationError,
      };
    }
    const outcome =
      error instanceof InstanceNotFoundError
        ? 'not-found'
        : error instanceof RestartRejectedError
          ? 'rejected'
          : 'unconfirmed';
    await ledger.record(key, attempt, {
      at: context.now(),
      outcome,
      code: (error as { dlfCode?: string }).dlfCode ?? code,
    });
    return {
      kind: 'failed',
      code,
      message,
      counted: true,
      unconfirmed: outcome === 'unconfirmed',
      haltTarget: false,
    };
  }
}
