import type { ManualClock } from '../../emulator/manual-clock';
import type { Emulator } from '../../emulator/server';
import { AkSkAuthenticator } from '../../lib/dataarts/auth';
import { DataArtsClient } from '../../lib/dataarts/client';
import { Transport, type TransportOptions } from '../../lib/dataarts/transport';
import { TransientError } from '../../lib/errors';
import { Semaphore } from '../../lib/util/concurrency';
import { realSleep, type Sleep } from '../../lib/util/time';
import { AK, emulatorWithClock, FAST, PROJECT, SK, T0 } from '../support/targets';

const HOUR = 3_600_000;
const window = { from: T0 - 24 * HOUR, to: T0 };
/** Nothing here is about timeouts: an answer that never comes waits for the abort. */
const PATIENT = { timeoutMs: 60_000 };

let emulator: Emulator;
let clock: ManualClock;

beforeEach(async () => {
  ({ emulator, clock } = await emulatorWithClock());
  emulator.seed(PROJECT, undefined, [
    { jobName: 'j', instanceId: 1, planTime: T0 - HOUR, endTime: T0 - HOUR + 60_000, status: 'fail' },
  ]);
});
afterEach(async () => emulator.close());

function signed(options: Partial<TransportOptions> = {}, sleep?: Sleep) {
  const transport = new Transport({
    baseUrl: emulator.url,
    authenticator: new AkSkAuthenticator({ ak: AK, sk: SK }, PROJECT, () => clock.now()),
    options: { ...FAST, ...PATIENT, ...options },
    ...(sleep ? { sleep } : {}),
  });
  return { transport, client: new DataArtsClient(transport, { projectId: PROJECT }) };
}

/** Yields to the event loop until `condition` holds (no timing assumptions). */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

const aborted = (sent: boolean) => ({ name: 'TransientError', code: 'ABORTED', sent });

describe('realSleep and Semaphore with a signal', () => {
  it('realSleep rejects with the reason as soon as the signal fires', async () => {
    const controller = new AbortController();
    const sleeping = realSleep(3_600_000, controller.signal);
    controller.abort(new Error('stop'));
    await expect(sleeping).rejects.toThrow('stop');
    const done = new AbortController();
    done.abort();
    await expect(realSleep(0, done.signal)).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('Semaphore: an aborted waiter leaves the queue and never holds a slot', async () => {
    const slots = new Semaphore(1);
    const first = await slots.acquire();
    const controller = new AbortController();
    const abandoned = slots.acquire(controller.signal);
    const next = slots.acquire();
    controller.abort();
    await expect(abandoned).rejects.toMatchObject({ name: 'AbortError' });
    first();
    const release = await next;
    release();
    // Both slots' worth of releases went to live callers: one slot is free again.
    const again = await slots.acquire();
    again();
  });
});

describe('transport and client with a signal', () => {
  it('an already aborted signal sends nothing: ABORTED, sent: false', async () => {
    const { client } = signed();
    const controller = new AbortController();
    controller.abort();
    await expect(client.restartInstance('j', '1', undefined, controller.signal)).rejects.toMatchObject(
      aborted(false),
    );
    await expect(client.getInstance('j', '1', controller.signal)).rejects.toMatchObject(aborted(false));
    await expect(client.countInstances(window, {}, controller.signal)).rejects.toMatchObject(aborted(false));
    await expect(client.listInstances(window, {}, controller.signal)).rejects.toMatchObject({
      code: 'ABORTED',
    });
    expect(emulator.requests).toHaveLength(0);
  });

  it('abort while a POST is on the wire: ABORTED, sent: true (the outcome is unknown)', async () => {
    emulator.inject({ route: 'restart', kind: 'hang', processed: true });
    const { client } = signed();
    const controller = new AbortController();
    const restarting = client.restartInstance('j', '1', undefined, controller.signal);
    await until(() => emulator.count('restart') === 1);
    controller.abort();
    const error = await restarting.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransientError);
    expect(error).toMatchObject(aborted(true));
    expect(emulator.count('restart')).toBe(1);
    expect(emulator.restarts(1)).toBe(1);
  });

  it('abort while a read is on the wire ends the read (list and show)', async () => {
    const { client } = signed();
    // Proves the credential first, so the two reads go out together past the auth gate.
    await client.getInstance('j', '1');
    emulator.inject({ route: 'list', kind: 'hang' });
    emulator.inject({ route: 'show', kind: 'hang' });
    const controller = new AbortController();
    const listing = client.listInstances(window, {}, controller.signal);
    const showing = client.getInstance('j', '1', controller.signal);
    await until(() => emulator.count('list') + emulator.count('show') === 3);
    controller.abort();
    await expect(listing).rejects.toMatchObject(aborted(true));
    await expect(showing).rejects.toMatchObject(aborted(true));
  });

  it('abort during the backoff after a 503: ABORTED, sent: false, no second POST', async () => {
    emulator.inject({ route: 'restart', kind: 503 });
    const controller = new AbortController();
    // The backoff is an hour; the signal fires as it starts.
    const sleep: Sleep = (ms, signal) => {
      if (ms > 1000) controller.abort();
      return realSleep(ms, signal);
    };
    const { client } = signed({ baseDelayMs: 7_200_000, maxDelayMs: 7_200_000 }, sleep);
    const error = await client
      .restartInstance('j', '1', undefined, controller.signal)
      .catch((e: unknown) => e);
    expect(error).toMatchObject(aborted(false));
    expect(emulator.count('restart')).toBe(1);
  });

  it('abort while waiting for the rate limiter: ABORTED, sent: false', async () => {
    let limited = false;
    const sleep: Sleep = (ms, signal) => {
      limited = true;
      return realSleep(ms, signal);
    };
    // One request per 1000 s: the second waits on the limiter.
    const { client } = signed({ ratePerSecond: 0.001 }, sleep);
    await client.getInstance('j', '1');
    const controller = new AbortController();
    const waiting = client.restartInstance('j', '1', undefined, controller.signal);
    await until(() => limited);
    controller.abort();
    await expect(waiting).rejects.toMatchObject(aborted(false));
    expect(emulator.count('restart')).toBe(0);
  });

  it('abort while waiting for a concurrency slot: ABORTED, sent: false', async () => {
    const { client, transport } = signed({ concurrency: 1 });
    await client.getInstance('j', '1');
    emulator.inject({ route: 'show', kind: 'hang' });
    const holder = new AbortController();
    const holding = client.getInstance('j', '1', holder.signal);
    await until(() => emulator.count('show') === 2);
    const controller = new AbortController();
    const waiting = client.restartInstance('j', '1', undefined, controller.signal);
    await until(() => transport.account.slots.queued === 1);
    controller.abort();
    await expect(waiting).rejects.toMatchObject(aborted(false));
    holder.abort();
    await expect(holding).rejects.toMatchObject(aborted(true));
    expect(emulator.count('restart')).toBe(0);
    // The slot came back: the next request goes through.
    await expect(client.restartInstance('j', '1')).resolves.toBeUndefined();
  });

  it('abort while waiting at the auth gate (credential not proven yet): ABORTED, sent: false', async () => {
    emulator.inject({ route: 'show', kind: 'hang' });
    const { client } = signed();
    const holder = new AbortController();
    const holding = client.getInstance('j', '1', holder.signal);
    await until(() => emulator.count('show') === 1);
    const controller = new AbortController();
    // Queued at the gate synchronously: nothing before it waits.
    const waiting = client.restartInstance('j', '1', undefined, controller.signal);
    controller.abort();
    await expect(waiting).rejects.toMatchObject(aborted(false));
    holder.abort();
    await expect(holding).rejects.toMatchObject(aborted(true));
    expect(emulator.count('restart')).toBe(0);
  });
});
