import { SweepAbortedError } from '../errors';

/**
 * Waits for `work`, but no longer than `signal` allows: a slow ledger call must not
 * hold the sweep past its deadline. The call itself may still complete; every
 * ledger write is safe to abandon (an unconfirmed claim is a lease that expires).
 */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  const stopped = () =>
    new SweepAbortedError({
      message: `stopped: ${(signal.reason as Error | undefined)?.message ?? 'aborted'}`,
    });
  if (signal.aborted) {
    work.catch(() => undefined);
    return Promise.reject(stopped());
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(stopped());
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
