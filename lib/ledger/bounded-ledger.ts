import { LedgerError } from '../errors';
import { untilAborted } from '../util/abort';

export interface LedgerBounds {
  /** How long one ledger call may take before the sweep stops waiting for it. */
  timeoutMs: number;
  /** The sweep's signal (deadline, Ctrl-C): no call outlives it. Absent for an owner's last write. */
  signal?: AbortSignal;
}

/**
 * The same ledger, every method bounded: a call that does not answer within
 * `timeoutMs` (a stalled DynamoDB endpoint, a disk that hangs) fails with a
 * LedgerError, and none outlives `signal`. Abandoning a call is always safe: a claim
 * that lands late is a counted attempt whose lease expires, a settle that lands late
 * or never leaves the attempt counted, and a later sweep sees from the instance what
 * DataArts did. A capability reached through a property (`recovery`, `operator`) is
 * bounded alike: the ledger itself is answered by this wrapper, any other object is
 * wrapped the same way, so no call escapes the bounds by going one property deeper.
 */
export function boundLedger<L extends object>(ledger: L, bounds: LedgerBounds): L {
  return new Proxy(ledger, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (value === target || value === receiver) return receiver;
      if (typeof value === 'object' && value !== null) return boundLedger(value, bounds);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const answer: unknown = value.apply(target, args);
        return answer instanceof Promise ? bounded(answer, String(property), bounds) : answer;
      };
    },
  });
}

function bounded<T>(work: Promise<T>, method: string, bounds: LedgerBounds): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new LedgerError({
            message: `the ledger did not answer ${method} within ${seconds(bounds.timeoutMs)}`,
          }),
        ),
      bounds.timeoutMs,
    );
  });
  // The abandoned call may still fail later: that is already accounted for.
  work.catch(() => undefined);
  return untilAborted(Promise.race([work, timeout]), bounds.signal).finally(() => clearTimeout(timer));
}

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}
