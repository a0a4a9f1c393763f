/** A clock is an input everywhere: tests and the demo pass a controllable one. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** Waits `ms`; rejects with the signal's reason as soon as `signal` fires. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export const realSleep: Sleep = (ms, signal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    if (ms <= 0) return resolve();
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/**
 * `2026-11-24T08:00:00Z`. A number no Date can hold (an answer's time in nanoseconds,
 * NaN) is shown as given, never thrown: one instance's odd time must not stop a sweep.
 */
export function isoTime(epochMs: number): string {
  const date = new Date(epochMs);
  if (Number.isNaN(date.getTime())) return `${epochMs} (not a time)`;
  return date.toISOString().replace('.000Z', 'Z');
}
