/**
 * A read (idempotent) aborted on the wire ends at once (issue 16, mutation testing):
 * the caller's signal is not a failure to retry, even where retries are allowed.
 */
import { Account } from '../../lib/dataarts/account';
import { Transport } from '../../lib/dataarts/transport';
import { scriptedServer } from './scripted-server';

it('a read aborted on the wire is not retried: ABORTED, sent: true, no retry counted', async () => {
  const server = await scriptedServer(() => 'hang');
  try {
    const account = new Account('test', { ratePerSecond: 1_000_000, concurrency: 4 });
    const transport = new Transport({
      baseUrl: server.url,
      account,
      options: { timeoutMs: 60_000, retries: 3 },
      // A backoff that ignores the signal, as a fake clock may.
      sleep: async () => undefined,
    });
    const controller = new AbortController();
    const call = transport
      .send({ method: 'GET', path: '/v1/p/x', retryMode: 'idempotent', signal: controller.signal })
      .catch((error: unknown) => error);
    let settled = false;
    void call.then(() => {
      settled = true;
    });
    while (server.seen.length === 0 && !settled) await new Promise((resolve) => setTimeout(resolve, 5));
    controller.abort(new Error('deadline'));
    expect(await call).toMatchObject({ name: 'TransientError', code: 'ABORTED', sent: true });
    expect(transport.stats).toEqual({ requests: 1, retries: 0, throttled: 0, failures: 1 });
  } finally {
    await server.close();
  }
});
