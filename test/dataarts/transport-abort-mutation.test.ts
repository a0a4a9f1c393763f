/**
 * The caller's signal on the transport (issue 16, mutation testing): wherever it fires
 * (before admission, waiting for a slot, on the wire, during a backoff), the call ends
 * in one TransientError `ABORTED` whose `sent` says whether any try may have been
 * processed, with the signal's reason as its cause.
 */
import { Account } from '../../lib/dataarts/account';
import { Transport, type TransportOptions, type TransportRequest } from '../../lib/dataarts/transport';
import { type Reply, type ScriptedServer, type Seen, scriptedServer } from './scripted-server';

let server: ScriptedServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function serve(script: (seen: Seen, n: number) => Reply | Promise<Reply>): Promise<ScriptedServer> {
  server = await scriptedServer(script);
  return server;
}

/** A transport whose backoff runs `onSleep` (recording the wait) instead of waiting. */
function transportFor(
  baseUrl: string,
  onSleep: (ms: number, signal?: AbortSignal) => Promise<void> = async () => undefined,
  options: Partial<TransportOptions> = {},
) {
  const account = new Account('test', { ratePerSecond: 1_000_000, concurrency: 1 });
  // Proven, so only the slots (concurrency 1) hold a second request back.
  account.markVerified();
  const transport = new Transport({
    baseUrl,
    account,
    options: { timeoutMs: 60_000, retries: 3, baseDelayMs: 100, maxDelayMs: 1_000, ...options },
    random: () => 0.5,
    sleep: onSleep,
  });
  return { transport, account };
}

const request = (
  signal: AbortSignal,
  retryMode: TransportRequest['retryMode'] = 'idempotent',
): TransportRequest => ({
  method: retryMode === 'once' ? 'POST' : 'GET',
  path: '/v1/p/x',
  retryMode,
  signal,
});

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: unknown) => error as Error & Record<string, unknown>,
  );

/** Yields to the event loop until `condition` holds (no timing assumptions). */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('the signal before and while waiting', () => {
  it('already aborted: nothing is sent, ABORTED with sent: false and the reason as cause', async () => {
    const s = await serve(() => ({ status: 200 }));
    const { transport } = transportFor(s.url);
    const controller = new AbortController();
    const reason = new Error('deadline');
    controller.abort(reason);
    const error = await failure(transport.send(request(controller.signal, 'once')));
    expect(error).toMatchObject({
      name: 'TransientError',
      code: 'ABORTED',
      sent: false,
      message: 'POST /v1/p/x aborted',
      request: { method: 'POST', path: '/v1/p/x' },
    });
    expect(error.cause).toBe(reason);
    expect(s.seen).toHaveLength(0);
  });

  it('aborted while the account is not yet proven and another request holds it: not sent', async () => {
    let answer: () => void = () => undefined;
    const s = await serve(
      () =>
        new Promise<Reply>((resolve) => {
          answer = () => resolve({ status: 200 });
        }),
    );
    const account = new Account('test', { ratePerSecond: 1_000_000, concurrency: 4 });
    const transport = new Transport({ baseUrl: s.url, account });
    const first = transport.send({ method: 'GET', path: '/v1/p/a', retryMode: 'idempotent' });
    await until(() => s.seen.length === 1);
    const controller = new AbortController();
    const second = failure(transport.send(request(controller.signal, 'once')));
    controller.abort('stop');
    const error = await second;
    expect(error).toMatchObject({ code: 'ABORTED', sent: false });
    expect((error.cause as Error).message).toBe('stop');
    answer();
    await first;
    expect(s.seen).toHaveLength(1);
  });

  it('aborted while waiting for a slot: not sent, and the failure is counted', async () => {
    let answer: () => void = () => undefined;
    const s = await serve(
      (_, n) =>
        new Promise<Reply>((resolve) => {
          if (n === 1) answer = () => resolve({ status: 200 });
          else resolve({ status: 200 });
        }),
    );
    const { transport } = transportFor(s.url);
    const first = transport.send({ method: 'GET', path: '/v1/p/a', retryMode: 'idempotent' });
    await until(() => s.seen.length === 1);
    const controller = new AbortController();
    const second = failure(transport.send(request(controller.signal, 'once')));
    controller.abort(new Error('deadline'));
    expect(await second).toMatchObject({ code: 'ABORTED', sent: false });
    expect(transport.stats.failures).toBe(1);
    answer();
    await first;
    expect(s.seen).toHaveLength(1);
    expect(transport.stats.requests).toBe(1);
  });
});

describe('the signal on the wire and during backoff', () => {
  it('aborted on the wire: ABORTED with sent: true (the outcome is unknown)', async () => {
    const s = await serve(() => 'hang');
    const { transport } = transportFor(s.url);
    const controller = new AbortController();
    const call = failure(transport.send(request(controller.signal, 'once')));
    await until(() => s.seen.length === 1);
    controller.abort(new Error('deadline'));
    const error = await call;
    expect(error).toMatchObject({ code: 'ABORTED', sent: true });
    expect((error.cause as Error).message).toBe('deadline');
    // Not retried: an aborted call ends at once.
    expect(transport.stats).toMatchObject({ requests: 1, retries: 0, failures: 1 });
  });

  it.each([
    ['a 503 (not processed)', 503, 'once', false],
    ['a 429 (not processed)', 429, 'once', false],
    ['a 502 (may have been processed)', 502, 'idempotent', true],
  ] as const)('aborted during the backoff after %s (%s, %s): sent is %s', async (_, status, mode, sent) => {
    const s = await serve(() => ({ status }));
    const controller = new AbortController();
    const { transport } = transportFor(s.url, async (_ms, signal) => {
      controller.abort(new Error('deadline'));
      throw signal?.reason;
    });
    const error = await failure(transport.send(request(controller.signal, mode)));
    expect(error).toMatchObject({ code: 'ABORTED', sent });
    expect((error.cause as Error).message).toBe('deadline');
    expect(s.seen).toHaveLength(1);
    expect(transport.stats).toMatchObject({ requests: 1, retries: 1, failures: 1 });
  });

  it('a backoff sleep that fails for another reason passes that error on', async () => {
    const s = await serve(() => ({ status: 502 }));
    const controller = new AbortController();
    const broken = new Error('timer broke');
    const { transport } = transportFor(s.url, async () => {
      throw broken;
    });
    expect(await failure(transport.send(request(controller.signal)))).toBe(broken);
    expect(await failure(transport.send({ method: 'GET', path: '/v1/p/x', retryMode: 'idempotent' }))).toBe(
      broken,
    );
  });

  it('a try that was aborted after an earlier one may have been processed stays sent: true', async () => {
    const s = await serve((_, n) => (n === 1 ? { status: 502 } : 'hang'));
    const controller = new AbortController();
    const { transport } = transportFor(s.url, async () => undefined);
    const call = failure(transport.send(request(controller.signal)));
    await until(() => s.seen.length === 2);
    controller.abort('stop');
    expect(await call).toMatchObject({ code: 'ABORTED', sent: true });
  });

  it('a restart resent after a 503 and aborted on the wire is sent: true', async () => {
    const s = await serve((_, n) => (n === 1 ? { status: 503 } : 'hang'));
    const controller = new AbortController();
    const { transport } = transportFor(s.url, async () => undefined);
    const call = failure(transport.send(request(controller.signal, 'once')));
    await until(() => s.seen.length === 2);
    controller.abort('stop');
    expect(await call).toMatchObject({ code: 'ABORTED', sent: true });
  });

  it('the per-try timeout still applies with a signal that never fires', async () => {
    const s = await serve(() => 'hang');
    const { transport } = transportFor(s.url, async () => undefined, { timeoutMs: 250, retries: 0 });
    const error = await failure(transport.send(request(new AbortController().signal)));
    expect(error).toMatchObject({ code: 'TIMEOUT', sent: true });
  });
});

describe('the signal between signing and the wire', () => {
  it('aborted while the request was being authorized: nothing goes on the wire, sent: false', async () => {
    const s = await serve(() => ({ status: 200 }));
    const controller = new AbortController();
    const account = new Account('test', { ratePerSecond: 1_000_000, concurrency: 1 });
    const transport = new Transport({
      baseUrl: s.url,
      account,
      authenticator: {
        authorize: async () => {
          controller.abort(new Error('deadline'));
          return { 'X-Auth-Token': 't' };
        },
        invalidate: () => false,
      },
    });
    const error = await failure(transport.send(request(controller.signal, 'once')));
    expect(error).toMatchObject({ code: 'ABORTED', sent: false });
    expect((error.cause as Error).message).toBe('deadline');
    expect(s.seen).toHaveLength(0);
  });
});
