/**
 * The transport's promises, each pinned on a local server that answers exactly as the
 * test needs (issue 16, mutation testing): the request as sent (URL, query, headers,
 * body), which answers are retried and how long it waits, what the error says when it
 * gives up, and what counts as "certainly not sent".
 */
import { Account } from '../../lib/dataarts/account';
import type { Authenticator, OutgoingRequest } from '../../lib/dataarts/auth-types';
import { Transport, type TransportOptions, type TransportRequest } from '../../lib/dataarts/transport';
import {
  AuthenticationError,
  AuthorizationError,
  ConfigError,
  MalformedResponseError,
  TransientError,
} from '../../lib/errors';
import { closedPort } from '../support/closed-port';
import { json, type Reply, type ScriptedServer, type Seen, scriptedServer } from './scripted-server';

const QUICK: Partial<TransportOptions> = {
  timeoutMs: 5_000,
  retries: 3,
  baseDelayMs: 100,
  maxDelayMs: 1_000,
  maxRetryAfterMs: 30_000,
};

let server: ScriptedServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function serve(script: (seen: Seen, n: number) => Reply | Promise<Reply>): Promise<ScriptedServer> {
  server = await scriptedServer(script);
  return server;
}

/**
 * A transport whose backoff waits are recorded, not waited (its own account keeps the
 * rate limiter on the real clock, so only backoff goes through `sleep`).
 */
function transportFor(
  baseUrl: string,
  options: Partial<TransportOptions> = {},
  extra: { authenticator?: Authenticator; random?: () => number; account?: Account } = {},
) {
  const waits: number[] = [];
  const account = extra.account ?? new Account('test', { ratePerSecond: 1_000_000, concurrency: 8 });
  const transport = new Transport({
    baseUrl,
    options: { ...QUICK, ...options },
    account,
    random: extra.random ?? (() => 0.5),
    sleep: async (ms) => {
      waits.push(ms);
    },
    ...(extra.authenticator ? { authenticator: extra.authenticator } : {}),
  });
  return { transport, waits, account };
}

const get = (path = '/v1/p/jobs', more: Partial<TransportRequest> = {}): TransportRequest => ({
  method: 'GET',
  path,
  retryMode: 'idempotent',
  ...more,
});
const restart = (more: Partial<TransportRequest> = {}): TransportRequest => ({
  method: 'POST',
  path: '/v1/p/jobs/j/instances/7/restart',
  retryMode: 'once',
  ...more,
});

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: unknown) => error as Error & Record<string, unknown>,
  );

describe('the request as sent', () => {
  it('joins the endpoint path and the request path, and sends the canonical query', async () => {
    const s = await serve(() => json(200, {}));
    const { transport } = transportFor(`${s.url}/gateway/`);
    await transport.send(get('/v1/p/jobs', { query: { b: '2', a: 'x y', c: '' } }));
    const { transport: bare } = transportFor(`${s.url}/gateway`);
    await bare.send(get('/v1/p/jobs'));
    expect(s.seen.map((r) => r.url)).toEqual(['/gateway/v1/p/jobs?a=x%20y&b=2&c=', '/gateway/v1/p/jobs']);
  });

  it('sends no query string when there is no query', async () => {
    const s = await serve(() => json(200, {}));
    const { transport } = transportFor(s.url);
    await transport.send(get('/v1/p/jobs', { query: {} }));
    expect(s.seen[0]?.url).toBe('/v1/p/jobs');
  });

  it('a POST carries Content-Type: application/json with or without a body; a bodiless GET none', async () => {
    const s = await serve(() => ({ status: 204 }));
    const { transport } = transportFor(s.url);
    await transport.send(restart());
    await transport.send(restart({ body: '{"retry_location":"error_node"}' }));
    await transport.send(get());
    await transport.send(restart({ headers: { workspace: 'w1' } }));
    expect(s.seen.map((r) => r.headers['content-type'])).toEqual([
      'application/json',
      'application/json',
      undefined,
      'application/json',
    ]);
    expect(s.seen.map((r) => r.body)).toEqual(['', '{"retry_location":"error_node"}', '', '']);
    expect(s.seen.map((r) => r.method)).toEqual(['POST', 'POST', 'GET', 'POST']);
  });

  it("keeps the caller's own Content-Type, whatever its case, and adds no second one", async () => {
    const s = await serve(() => ({ status: 204 }));
    const { transport } = transportFor(s.url);
    await transport.send(restart({ headers: { 'content-TYPE': 'text/plain' }, body: 'x' }));
    expect(s.seen[0]?.headers['content-type']).toBe('text/plain');
  });

  it('never sends a Host header of its own: the connection goes to the endpoint', async () => {
    const s = await serve(() => json(200, {}));
    const { transport } = transportFor(s.url);
    await transport.send(get('/v1/p/jobs', { headers: { Host: 'victim.example', 'X-Project-Id': 'p' } }));
    expect(s.seen[0]?.headers.host).toBe(new URL(s.url).host);
    expect(s.seen[0]?.headers['x-project-id']).toBe('p');
  });

  it.each([
    ['a trailing space', 'abc '],
    ['a leading space', ' abc'],
    ['a line break', 'ab\ncd'],
    ['a non-ASCII character', 'wörkspace'],
    ['nothing', ''],
  ])('refuses a header value with %s before anything is sent, never echoing it', async (_, value) => {
    const s = await serve(() => json(200, {}));
    const { transport } = transportFor(s.url);
    const error = await failure(transport.send(get('/v1/p/jobs', { headers: { workspace: value } })));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toBe('header workspace: holds characters a header cannot carry; not sent');
    expect(s.seen).toHaveLength(0);
  });

  it.each([['a'], ['a b'], ['!~'], ['x  y']])('sends the header value %p as it is', async (value) => {
    const s = await serve(() => json(200, {}));
    const { transport } = transportFor(s.url);
    await transport.send(get('/v1/p/jobs', { headers: { 'X-Note': value } }));
    expect(s.seen[0]?.headers['x-note']).toBe(value);
  });

  it('signs exactly what it sends: the authenticator sees the full path, query, host, headers and body', async () => {
    const s = await serve(() => ({ status: 204 }));
    const asked: OutgoingRequest[] = [];
    const authenticator: Authenticator = {
      authorize: async (request) => {
        asked.push(structuredClone(request));
        return { 'X-Auth-Token': 'tok' };
      },
      invalidate: () => false,
    };
    const { transport } = transportFor(`${s.url}/gw`, {}, { authenticator });
    await transport.send(restart({ body: '{}', query: { q: '1' } }));
    await transport.send(get());
    expect(asked[0]).toEqual({
      method: 'POST',
      host: new URL(s.url).host,
      path: '/gw/v1/p/jobs/j/instances/7/restart',
      query: { q: '1' },
      headers: { 'Content-Type': 'application/json' },
      body: '{}',
    });
    expect(asked[1]).not.toHaveProperty('body');
    expect(asked[1]?.query).toEqual({});
    // A body always comes with its Content-Type, whatever the method (fetch then refuses a GET's body).
    await transport.send(get('/v1/p/jobs', { body: '{}' })).catch(() => undefined);
    expect(asked[2]?.headers).toEqual({ 'Content-Type': 'application/json' });
    expect(s.seen[0]?.headers['x-auth-token']).toBe('tok');
  });
});

describe('retries and their waits', () => {
  it('backs off with full jitter over min(maxDelay, base * 2^n)', async () => {
    const s = await serve((_, n) => (n <= 4 ? { status: 502 } : json(200, {})));
    const { transport, waits } = transportFor(s.url, { retries: 4, baseDelayMs: 100, maxDelayMs: 500 });
    const answer = await transport.send(get());
    expect(answer.status).toBe(200);
    // random() = 0.5: half of 100, 200, 400, then the 500 cap.
    expect(waits).toEqual([50, 100, 200, 250]);
    expect(transport.stats).toEqual({ requests: 5, retries: 4, throttled: 0, failures: 0 });
  });

  it('rounds a jittered wait down to whole milliseconds', async () => {
    const s = await serve((_, n) => (n === 1 ? { status: 504 } : json(200, {})));
    const { transport, waits } = transportFor(s.url, { baseDelayMs: 10 }, { random: () => 0.99 });
    await transport.send(get());
    expect(waits).toEqual([9]);
  });

  /** An account whose limiter records the pauses a 429 asks for instead of holding real time. */
  function recordingAccount() {
    const account = new Account('test', { ratePerSecond: 1_000_000, concurrency: 8 });
    const paused: number[] = [];
    account.limiter.pause = (ms: number) => {
      paused.push(ms);
    };
    return { account, paused };
  }

  it('honours Retry-After in seconds, capped at maxRetryAfter; a 429 holds back the whole account', async () => {
    const s = await serve((_, n) =>
      n === 1
        ? { status: 429, headers: { 'Retry-After': '2' } }
        : n === 2
          ? { status: 429, headers: { 'Retry-After': '3600' } }
          : json(200, {}),
    );
    const { account, paused } = recordingAccount();
    const { transport, waits } = transportFor(s.url, { maxRetryAfterMs: 30_000 }, { account });
    await transport.send(get());
    expect(waits).toEqual([2_000, 30_000]);
    expect(paused).toEqual([2_000, 30_000]);
    expect(transport.stats.throttled).toBe(2);
  });

  it('a 503 with Retry-After waits that long but does not pause the account', async () => {
    const s = await serve((_, n) =>
      n === 1 ? { status: 503, headers: { 'Retry-After': '1' } } : json(200, {}),
    );
    const { account, paused } = recordingAccount();
    const { transport, waits } = transportFor(s.url, {}, { account });
    await transport.send(get());
    expect(waits).toEqual([1_000]);
    expect(paused).toEqual([]);
    expect(transport.stats.throttled).toBe(0);
  });

  it('an unreadable Retry-After falls back to the jittered backoff', async () => {
    const s = await serve((_, n) =>
      n === 1 ? { status: 429, headers: { 'Retry-After': 'soon' } } : json(200, {}),
    );
    const { account, paused } = recordingAccount();
    const { transport, waits } = transportFor(s.url, { baseDelayMs: 100 }, { account });
    await transport.send(get());
    expect(waits).toEqual([50]);
    expect(paused).toEqual([50]);
  });

  it('gives up after `retries` retries: retries + 1 tries, one failure counted', async () => {
    const s = await serve(() =>
      json(502, { error_code: 'APIGW.0202', error_msg: 'bad gateway' }, { 'X-Request-Id': 'req-9' }),
    );
    const { transport } = transportFor(s.url, { retries: 2 });
    const error = await failure(transport.send(get('/v1/p/x')));
    expect(error).toBeInstanceOf(TransientError);
    expect(error).toMatchObject({
      message: 'GET /v1/p/x answered 502',
      code: 'SERVER_ERROR',
      status: 502,
      sent: true,
      dlfCode: 'APIGW.0202',
      requestId: 'req-9',
      request: { method: 'GET', path: '/v1/p/x' },
    });
    expect(s.seen).toHaveLength(3);
    expect(transport.stats).toEqual({ requests: 3, retries: 2, throttled: 0, failures: 1 });
  });

  it.each([
    [429, 'THROTTLED', false],
    [503, 'UNAVAILABLE', false],
    [504, 'SERVER_ERROR', true],
  ])('a %s that outlasts the retries is %s, sent: %s', async (status, code, sent) => {
    const s = await serve(() => ({ status }));
    const { transport } = transportFor(s.url, { retries: 1 });
    const error = await failure(transport.send(get()));
    expect(error).toMatchObject({ name: 'TransientError', code, status, sent });
    expect(s.seen).toHaveLength(2);
  });

  it('returns any other answer at once for the caller to read (400, 404, 409, 500, 302)', async () => {
    for (const status of [400, 404, 409, 500, 302]) {
      const s = await scriptedServer(() => ({
        status,
        headers: { Location: '/elsewhere' },
        body: `s${status}`,
      }));
      const { transport } = transportFor(s.url);
      const answer = await transport.send(get());
      expect({ status: answer.status, text: answer.text, tries: s.seen.length }).toEqual({
        status,
        text: `s${status}`,
        tries: 1,
      });
      expect(transport.stats.retries).toBe(0);
      await s.close();
    }
  });
});

describe('a restart (once): resent only while no try may have been processed', () => {
  it.each([429, 503])('a %s proves nothing was processed: resent', async (status) => {
    const s = await serve((_, n) => (n === 1 ? { status } : { status: 204 }));
    const { transport } = transportFor(s.url);
    const answer = await transport.send(restart());
    expect(answer.status).toBe(204);
    expect(s.seen).toHaveLength(2);
  });

  it.each([502, 504])('a %s may have been processed: not resent, sent: true', async (status) => {
    const s = await serve(() => ({ status }));
    const { transport } = transportFor(s.url);
    const error = await failure(transport.send(restart()));
    expect(error).toMatchObject({ name: 'TransientError', code: 'SERVER_ERROR', status, sent: true });
    expect(s.seen).toHaveLength(1);
    expect(transport.stats).toMatchObject({ requests: 1, retries: 0, failures: 1 });
  });

  it('a reset connection may have been processed: not resent, sent: true', async () => {
    const s = await serve(() => 'reset');
    const { transport } = transportFor(s.url);
    const error = await failure(transport.send(restart()));
    expect(error).toMatchObject({ name: 'TransientError', code: 'NETWORK', sent: true });
    expect(error.message).toBe('POST /v1/p/jobs/j/instances/7/restart: connection failed');
    expect(s.seen).toHaveLength(1);
  });

  it('once any try may have been processed, a later 503 is not resent and stays sent: true', async () => {
    const s = await serve((_, n) =>
      n === 1 ? { status: 429 } : n === 2 ? { status: 502 } : { status: 503 },
    );
    const { transport } = transportFor(s.url);
    const error = await failure(transport.send(restart()));
    expect(error).toMatchObject({ code: 'SERVER_ERROR', status: 502, sent: true });
    expect(s.seen).toHaveLength(2);
  });

  it('a read that timed out once and then met 503s reports sent: true', async () => {
    const s = await serve((_, n) => (n === 1 ? 'hang' : { status: 503 }));
    const { transport } = transportFor(s.url, { timeoutMs: 1_000, retries: 1 });
    const error = await failure(transport.send(get()));
    expect(error).toMatchObject({ code: 'UNAVAILABLE', sent: true });
  });

  it('a refused connection is certainly not sent: retried, then NETWORK with sent: false', async () => {
    const port = await closedPort();
    const { transport } = transportFor(`http://127.0.0.1:${port}`, { retries: 1 });
    const error = await failure(transport.send(restart()));
    expect(error).toMatchObject({ name: 'TransientError', code: 'NETWORK', sent: false });
    expect(error.message).toBe('POST /v1/p/jobs/j/instances/7/restart: connection refused');
    expect(transport.stats).toMatchObject({ requests: 2, retries: 1, failures: 1 });
  });
});

describe('timeouts and size limits', () => {
  // A try that never gets its answer: whatever the machine's load, it times out, so these
  // timeouts can be short. A test where some answer does come keeps 1 s.
  it('a try with no answer within timeoutMs is TIMEOUT; a restart is not resent', async () => {
    const s = await serve(() => 'hang');
    const { transport } = transportFor(s.url, { timeoutMs: 250 });
    const error = await failure(transport.send(restart()));
    expect(error).toMatchObject({ name: 'TransientError', code: 'TIMEOUT', sent: true });
    expect(error.message).toBe('POST /v1/p/jobs/j/instances/7/restart timed out');
    expect((error.cause as Error).message).toBe('no complete answer within the timeout');
    expect(s.seen).toHaveLength(1);
  });

  it('an answer whose body never ends is a timeout too', async () => {
    const s = await serve(() => (res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write('{"total":');
    });
    const { transport } = transportFor(s.url, { timeoutMs: 250, retries: 0 });
    const error = await failure(transport.send(get()));
    expect(error).toMatchObject({ code: 'TIMEOUT' });
  });

  it('refuses an answer whose Content-Length is over the limit, without reading it', async () => {
    const s = await serve(() => ({
      status: 200,
      headers: { 'Content-Length': '101' },
      body: 'x'.repeat(101),
    }));
    const { transport } = transportFor(s.url, { maxResponseBytes: 100 });
    const error = await failure(transport.send(get('/v1/p/big')));
    expect(error).toBeInstanceOf(MalformedResponseError);
    expect(error).toMatchObject({
      code: 'RESPONSE_TOO_LARGE',
      status: 200,
      message: 'GET /v1/p/big: answer larger than 100 bytes',
    });
    expect(s.seen).toHaveLength(1);
  });

  it('refuses an answer declared over the limit at once, without waiting for its body', async () => {
    const s = await serve(() => (res) => {
      res.writeHead(200, { 'Content-Length': '1000' });
      res.write('x'.repeat(10));
    });
    const { transport } = transportFor(s.url, { maxResponseBytes: 100, timeoutMs: 2_000, retries: 0 });
    const error = await failure(transport.send(get()));
    expect(error).toMatchObject({ name: 'MalformedResponseError', code: 'RESPONSE_TOO_LARGE' });
  });

  it('refuses a chunked answer (no Content-Length) that turns out over the limit', async () => {
    const s = await serve(() => (res) => {
      res.writeHead(200);
      res.write('x'.repeat(60));
      res.end('y'.repeat(41));
    });
    const { transport } = transportFor(s.url, { maxResponseBytes: 100 });
    const error = await failure(transport.send(get()));
    expect(error).toMatchObject({ name: 'MalformedResponseError', code: 'RESPONSE_TOO_LARGE' });
  });

  it('counts bytes, not characters, in an answer without Content-Length', async () => {
    // 40 Chinese characters: 40 characters, 120 bytes of UTF-8.
    const s = await serve(() => (res) => {
      res.writeHead(200);
      res.end('数'.repeat(40));
    });
    const { transport } = transportFor(s.url, { maxResponseBytes: 100 });
    const error = await failure(transport.send(get()));
    expect(error).toMatchObject({ name: 'MalformedResponseError', code: 'RESPONSE_TOO_LARGE' });
  });

  it('cuts an endless answer without Content-Length at the limit, without waiting for its end', async () => {
    const s = await serve(() => (res) => {
      res.writeHead(200);
      res.write('x'.repeat(101));
    });
    // A timeout far longer than any test: only the byte count can end this try.
    const { transport } = transportFor(s.url, { maxResponseBytes: 100, timeoutMs: 600_000, retries: 0 });
    const error = await failure(transport.send(get()));
    expect(error).toMatchObject({ name: 'MalformedResponseError', code: 'RESPONSE_TOO_LARGE' });
  });

  it('decodes the answer as UTF-8, dropping a leading byte order mark', async () => {
    const s = await serve(() => (res) => {
      res.writeHead(200);
      res.write('\uFEFF{"name":"');
      res.end('数据"}');
    });
    const { transport } = transportFor(s.url);
    expect((await transport.send(get())).text).toBe('{"name":"数据"}');
  });

  it('takes an answer of exactly the limit, declared or not', async () => {
    const s = await serve((_, n) =>
      n === 1
        ? { status: 200, headers: { 'Content-Length': '100' }, body: 'x'.repeat(100) }
        : (res) => {
            res.writeHead(200);
            res.write('x'.repeat(50));
            res.end('y'.repeat(50));
          },
    );
    const { transport } = transportFor(s.url, { maxResponseBytes: 100 });
    expect((await transport.send(get())).text).toHaveLength(100);
    expect((await transport.send(get())).text).toHaveLength(100);
  });
});

describe('what fetch refuses, and redirects', () => {
  it('a request fetch cannot build is NETWORK, certainly not sent, and never quotes what fetch said', async () => {
    const s = await serve(() => json(200, {}));
    const { transport } = transportFor(s.url);
    // fetch refuses a GET with a body before anything goes on the wire.
    const error = await failure(transport.send(get('/v1/p/jobs', { body: '{}' })));
    expect(error).toMatchObject({ name: 'TransientError', code: 'NETWORK', sent: false });
    expect(error.message).toMatch(/^GET \/v1\/p\/jobs: the request could not be sent \(\w+\)$/);
    expect(s.seen).toHaveLength(0);
    expect(transport.stats.retries).toBe(0);
  });

  it('names the class of the error fetch threw, not its message (which may quote a header value)', async () => {
    const s = await serve(() => json(200, {}));
    const { transport } = transportFor(s.url);
    const spy = jest
      .spyOn(globalThis, 'fetch')
      .mockRejectedValueOnce(new TypeError('Headers.append: "token-123 " is an invalid header value.'))
      .mockRejectedValueOnce('a string');
    try {
      const error = await failure(transport.send(restart()));
      expect(error.message).toBe(
        'POST /v1/p/jobs/j/instances/7/restart: the request could not be sent (TypeError)',
      );
      expect(error).toMatchObject({ code: 'NETWORK', sent: false });
      const odd = await failure(transport.send(restart()));
      expect(odd.message).toBe(
        'POST /v1/p/jobs/j/instances/7/restart: the request could not be sent (string)',
      );
    } finally {
      spy.mockRestore();
    }
  });

  it('never follows a redirect: a signed request is not replayed elsewhere', async () => {
    const s = await serve((seen) =>
      seen.url.startsWith('/elsewhere')
        ? json(200, { moved: true })
        : { status: 307, headers: { Location: '/elsewhere' } },
    );
    const { transport } = transportFor(s.url);
    const answer = await transport.send(restart());
    expect(answer.status).toBe(307);
    expect(s.seen.map((r) => r.url)).toEqual(['/v1/p/jobs/j/instances/7/restart']);
  });
});

describe('401 and 403', () => {
  function tokens(invalidations: boolean[]) {
    let issued = 0;
    const calls: string[] = [];
    const authenticator: Authenticator = {
      authorize: async () => {
        issued++;
        calls.push(`authorize ${issued}`);
        return { 'X-Auth-Token': `token-${issued}` };
      },
      invalidate: () => {
        calls.push('invalidate');
        return invalidations.shift() ?? false;
      },
    };
    return { authenticator, calls };
  }

  it('a 401 is retried once with fresh credentials when the authenticator can renew them', async () => {
    const s = await serve((seen) =>
      seen.headers['x-auth-token'] === 'token-1' ? { status: 401 } : json(200, {}),
    );
    const { authenticator, calls } = tokens([true]);
    const { transport, waits } = transportFor(s.url, {}, { authenticator });
    const answer = await transport.send(restart());
    expect(answer.status).toBe(200);
    expect(calls).toEqual(['authorize 1', 'invalidate', 'authorize 2']);
    expect(waits).toEqual([]);
  });

  it('a second 401 is an AuthenticationError that stops the account: later requests are not sent', async () => {
    const s = await serve(() =>
      json(401, { error_code: 'APIGW.0301', error_msg: 'bad token' }, { 'X-Request-Id': 'r1' }),
    );
    const { authenticator, calls } = tokens([true, true]);
    const { transport } = transportFor(s.url, {}, { authenticator });
    const error = await failure(transport.send(get('/v1/p/a')));
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error).toMatchObject({
      code: 'AUTHENTICATION_FAILED',
      status: 401,
      dlfCode: 'APIGW.0301',
      requestId: 'r1',
      message: 'GET /v1/p/a answered 401: bad token',
    });
    expect(calls.filter((c) => c === 'invalidate')).toHaveLength(1);
    expect(s.seen).toHaveLength(2);
    const again = await failure(transport.send(get('/v1/p/b')));
    expect(again).toBe(error);
    expect(s.seen).toHaveLength(2);
  });

  it('a 401 with credentials that cannot be renewed (AK/SK) is not retried', async () => {
    const s = await serve(() => ({ status: 401 }));
    const { authenticator } = tokens([false]);
    const { transport } = transportFor(s.url, {}, { authenticator });
    await expect(transport.send(get())).rejects.toBeInstanceOf(AuthenticationError);
    expect(s.seen).toHaveLength(1);
  });

  it('a 401 without an authenticator is an AuthenticationError at once', async () => {
    const s = await serve(() => ({ status: 401 }));
    const { transport } = transportFor(s.url);
    await expect(transport.send(get())).rejects.toBeInstanceOf(AuthenticationError);
    expect(s.seen).toHaveLength(1);
  });

  it('a 403 is an AuthorizationError, not retried, and does not stop the account', async () => {
    const s = await serve((_, n) =>
      n === 1 ? json(403, { error_code: 'DLF.0815', error_msg: 'no' }) : json(200, {}),
    );
    const { transport } = transportFor(s.url);
    const error = await failure(transport.send(get('/v1/p/a')));
    expect(error).toBeInstanceOf(AuthorizationError);
    expect(error).toMatchObject({ code: 'NOT_AUTHORIZED', status: 403, dlfCode: 'DLF.0815' });
    expect(s.seen).toHaveLength(1);
    expect((await transport.send(get())).status).toBe(200);
  });

  it('a failed login while authorizing stops the account; an IAM outage is not sent', async () => {
    const s = await serve(() => json(200, {}));
    const outage = new TransientError({
      message: 'IAM answered 503',
      code: 'UNAVAILABLE',
      request: { method: 'POST', path: '/v3/auth/tokens' },
      sent: true,
      status: 503,
      dlfCode: 'IAM.0001',
      requestId: 'iam-1',
    });
    const login = new AuthenticationError({
      message: 'IAM refused the login',
      code: 'AUTHENTICATION_FAILED',
      request: { method: 'POST', path: '/v3/auth/tokens' },
    });
    const results = [outage, login];
    const authenticator: Authenticator = {
      authorize: async () => {
        throw results.shift() ?? new Error('unexpected');
      },
      invalidate: () => false,
    };
    const { transport } = transportFor(s.url, { retries: 0 }, { authenticator });
    const first = await failure(transport.send(restart()));
    expect(first).toBeInstanceOf(TransientError);
    expect(first).toMatchObject({
      message: 'IAM answered 503',
      code: 'UNAVAILABLE',
      sent: false,
      status: 503,
      dlfCode: 'IAM.0001',
      requestId: 'iam-1',
      request: { method: 'POST', path: '/v3/auth/tokens' },
    });
    expect(first.cause).toBe(outage);
    const second = await failure(transport.send(restart()));
    expect(second).toBe(login);
    // The account is stopped: not even the authenticator is asked again.
    expect(await failure(transport.send(restart()))).toBe(login);
    expect(s.seen).toHaveLength(0);
  });

  it('an unsent TransientError or any other error from the authenticator passes through as it is', async () => {
    const s = await serve(() => json(200, {}));
    const unsent = new TransientError({
      message: 'IAM refused at once',
      code: 'NETWORK',
      request: { method: 'POST', path: '/v3/auth/tokens' },
      sent: false,
    });
    const other = new Error('boom');
    const results: Error[] = [unsent, other];
    const authenticator: Authenticator = {
      authorize: async () => {
        throw results.shift();
      },
      invalidate: () => false,
    };
    const { transport } = transportFor(s.url, { retries: 0 }, { authenticator });
    expect(await failure(transport.send(get()))).toBe(unsent);
    expect(await failure(transport.send(get()))).toBe(other);
  });
});

describe('until an answer proves the credential, one request of the account at a time', () => {
  /** Whether, after a first answer `status`, the account admits two requests at once. */
  async function parallelAfter(status: number, body: unknown = {}): Promise<boolean> {
    const s = await serve(() => json(status, body));
    const { transport, account } = transportFor(s.url, { retries: 0 });
    await transport.send(get()).catch(() => undefined);
    const release = await account.admit();
    let second = false;
    const admitted = account.admit().then((r) => {
      second = true;
      return r;
    });
    await new Promise((resolve) => setImmediate(resolve));
    const parallel = second;
    release();
    (await admitted)();
    return parallel;
  }

  it.each([
    [200, {}],
    [204, {}],
    [302, {}],
    [399, {}],
    [403, { error_code: 'DLF.1' }],
    [400, { error_code: 'DLF.0137' }],
    [400, {}],
  ])('%s %j proves it: later requests go in parallel', async (status, body) => {
    expect(await parallelAfter(status, body)).toBe(true);
  });

  it.each([
    [400, { error_code: 'APIGW.0106' }],
    [400, { error_code: 'APIG.0106' }],
    [404, { error_code: 'APIGW.0101' }],
    [404, { error_code: 'DLF.0137' }],
    [500, {}],
    [429, {}],
  ])('%s %j proves nothing: still one at a time', async (status, body) => {
    expect(await parallelAfter(status, body)).toBe(false);
  });
});

describe('defaults', () => {
  it('documented defaults: 10 s per try, 3 retries, backoff from 500 ms to 10 s, Retry-After up to 30 s, 10/s, 4 at once, 16 MB', async () => {
    const s = await serve(() => ({ status: 200 }));
    expect(new Transport({ baseUrl: s.url }).options).toEqual({
      timeoutMs: 10_000,
      retries: 3,
      baseDelayMs: 500,
      maxDelayMs: 10_000,
      maxRetryAfterMs: 30_000,
      ratePerSecond: 10,
      concurrency: 4,
      maxResponseBytes: 16 * 1024 * 1024,
    });
  });

  it('by default, 3 retries with waits doubling from 500 ms, and a long Retry-After cut to 30 s', async () => {
    const s = await serve((_, n) =>
      n === 5 ? { status: 429, headers: { 'Retry-After': '3600' } } : { status: 502 },
    );
    const waits: number[] = [];
    const transport = new Transport({
      baseUrl: s.url,
      account: new Account('test', { ratePerSecond: 1_000_000, concurrency: 8 }),
      random: () => 0.999,
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
    await expect(transport.send(get())).rejects.toMatchObject({ code: 'SERVER_ERROR' });
    expect(waits).toEqual([499, 999, 1998]);
    const account = new Account('test', { ratePerSecond: 1_000_000, concurrency: 8 });
    account.limiter.pause = () => undefined;
    const throttled = new Transport({
      baseUrl: s.url,
      account,
      options: { retries: 1 },
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
    await throttled.send(get()).catch(() => undefined);
    expect(waits.at(-1)).toBe(30_000);
  });

  it('a transport without an account gets its own, named after the host, limited by its options', async () => {
    const s = await serve(() => json(200, {}));
    const waits: number[] = [];
    const transport = new Transport({
      baseUrl: `${s.url}/gw`,
      options: { ratePerSecond: 0.5 },
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
    expect(transport.account.id).toBe(new URL(s.url).host);
    await transport.send(get());
    await transport.send(get());
    // The second request waits for the limiter (2 s at 0.5/s), through the transport's sleep.
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeGreaterThan(0);
    expect(waits[0]).toBeLessThanOrEqual(2_000);
  });

  it('jitters with Math.random unless told otherwise', async () => {
    const s = await serve((_, n) => (n === 1 ? { status: 502 } : json(200, {})));
    const waits: number[] = [];
    const spy = jest.spyOn(Math, 'random').mockReturnValue(0.25);
    try {
      const transport = new Transport({
        baseUrl: s.url,
        account: new Account('test', { ratePerSecond: 1_000_000, concurrency: 8 }),
        options: { baseDelayMs: 400 },
        sleep: async (ms) => {
          waits.push(ms);
        },
      });
      await transport.send(get());
    } finally {
      spy.mockRestore();
    }
    expect(waits).toEqual([100]);
  });
});
