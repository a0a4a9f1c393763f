import type { ManualClock } from '../../emulator/manual-clock';
import type { Emulator } from '../../emulator/server';
import { AkSkAuthenticator } from '../../lib/dataarts/auth';
import { DataArtsClient } from '../../lib/dataarts/client';
import { certainlyNotSent, Transport, type TransportOptions } from '../../lib/dataarts/transport';
import {
  AuthenticationError,
  AuthorizationError,
  InstanceNotFoundError,
  MalformedResponseError,
  RestartRejectedError,
  TransientError,
} from '../../lib/errors';
import { AK, akskClient, emulatorWithClock, FAST, PROJECT, SK, T0 } from '../support/targets';

const HOUR = 3_600_000;
const window = { from: T0 - 24 * HOUR, to: T0 };
/**
 * For tests about a `hang` (an answer that never comes): the timeout is what they
 * test, and 1 s leaves a loaded CI machine room for the answers that do come.
 */
const HANG_TIMEOUT = { timeoutMs: 1_000 };

/** A signed transport on the emulator with injectable sleep (no real waiting). */
function signedTransport(options: Partial<TransportOptions> = {}, sleep?: (ms: number) => Promise<void>) {
  const transport = new Transport({
    baseUrl: emulator.url,
    authenticator: new AkSkAuthenticator({ ak: AK, sk: SK }, PROJECT, () => clock.now()),
    options: { ...FAST, ...options },
    ...(sleep ? { sleep } : {}),
  });
  return { transport, client: new DataArtsClient(transport, { projectId: PROJECT }) };
}

let emulator: Emulator;
let clock: ManualClock;

beforeEach(async () => {
  ({ emulator, clock } = await emulatorWithClock());
  emulator.seed(PROJECT, undefined, [
    {
      jobName: 'ods_orders',
      instanceId: 34765,
      planTime: T0 - HOUR,
      endTime: T0 - HOUR + 60_000,
      status: 'fail',
    },
    { jobName: '作业 日报(1)', instanceId: 34766, planTime: T0 - HOUR, status: 'fail' },
    { jobName: 'manual_job', instanceId: 34767, planTime: T0 - HOUR, status: 'fail', instanceType: 2 },
    {
      jobName: 'busy_job',
      instanceId: 34768,
      planTime: T0 - HOUR,
      status: 'running',
      startTime: T0 - 60_000,
      runMs: HOUR,
    },
    { jobName: 'mystery', instanceId: 34769, planTime: T0 - HOUR, status: 'quantum-state' },
  ]);
});
afterEach(async () => emulator.close());

describe('transport faults on reads (idempotent: retried)', () => {
  it.each([
    [429, { retryAfterSeconds: 0 }],
    [429, {}],
    [503, {}],
    [502, {}],
    [504, {}],
    ['reset', {}],
    ['hang', {}],
  ] as const)('%s is retried and the list succeeds', async (kind, extra) => {
    emulator.inject({ route: 'list', kind, ...extra });
    const { client, transport } = akskClient(emulator, clock, {
      transport: kind === 'hang' ? HANG_TIMEOUT : {},
    });
    const result = await client.listInstances(window);
    expect(result.instances).toHaveLength(5);
    expect(emulator.count('list')).toBe(2);
    expect(transport.stats.retries).toBe(1);
  });

  it('gives up after the configured retries with a TransientError', async () => {
    emulator.inject({ route: 'list', kind: 503, times: 10 });
    const { client } = akskClient(emulator, clock, { transport: { retries: 2 } });
    await expect(client.listInstances(window)).rejects.toBeInstanceOf(TransientError);
    expect(emulator.count('list')).toBe(3);
  });

  it('honours Retry-After, capped by maxRetryAfter', async () => {
    emulator.inject({ route: 'list', kind: 429, retryAfterSeconds: 3600 });
    const waits: number[] = [];
    const { client } = signedTransport({ maxRetryAfterMs: 30_000 }, async (ms) => {
      waits.push(ms);
    });
    await client.listInstances(window);
    // The backoff, then (the fake sleep does not move time) the account's paused limiter.
    expect(waits[0]).toBe(30_000);
    expect(Math.max(...waits)).toBeLessThanOrEqual(30_000);
  });

  it('reports sent: true when any earlier try may have been processed (timeout, then 503s)', async () => {
    emulator.inject({ route: 'list', kind: 'hang', nth: 1 });
    emulator.inject({ route: 'list', kind: 503, times: 10 });
    const { client } = akskClient(emulator, clock, { transport: { ...HANG_TIMEOUT, retries: 2 } });
    const error = await client.listInstances(window).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'TransientError', code: 'UNAVAILABLE', sent: true });
    expect(emulator.count('list')).toBe(3);
  });

  it('does not retry a 500 on a read (not in the retry list) and says so', async () => {
    emulator.inject({ route: 'list', kind: 500 });
    const { client } = akskClient(emulator, clock);
    await expect(client.listInstances(window)).rejects.toMatchObject({
      name: 'TransientError',
      code: 'SERVER_ERROR',
      status: 500,
    });
    expect(emulator.count('list')).toBe(1);
  });

  it('reports connection refused after retrying, as certainly not sent', async () => {
    const closedUrl = emulator.url;
    await emulator.close();
    const transport = new Transport({
      baseUrl: closedUrl,
      authenticator: new AkSkAuthenticator({ ak: AK, sk: SK }, PROJECT, () => clock.now()),
      options: { ...FAST, retries: 2 },
    });
    const client = new DataArtsClient(transport, { projectId: PROJECT });
    const error = await client.restartInstance('ods_orders', '34765').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransientError);
    expect(error).toMatchObject({ code: 'NETWORK', sent: false });
    expect((error as Error).message).toContain('connection refused');
    expect(transport.stats.requests).toBe(3);
    ({ emulator, clock } = await emulatorWithClock());
  });

  // A DNS failure cannot be played by a local server: the error chain undici builds is checked instead.
  it.each([
    ['ECONNREFUSED', true],
    ['ENOTFOUND', true],
    ['EAI_AGAIN', true],
    ['ECONNRESET', false],
    ['ETIMEDOUT', false],
    ['UND_ERR_SOCKET', false],
  ])('a socket error %s proves the request was not sent: %s', (code, notSent) => {
    const cause = Object.assign(new Error(`getaddrinfo ${code} dayu-dlf.example`), { code });
    expect(certainlyNotSent(new TypeError('fetch failed', { cause }))).toBe(notSent);
  });

  it('turns malformed JSON into a MalformedResponseError', async () => {
    emulator.inject({ route: 'list', kind: 'malformed-json' });
    const { client } = akskClient(emulator, clock);
    await expect(client.listInstances(window)).rejects.toBeInstanceOf(MalformedResponseError);
  });

  it('tolerates unknown fields and unknown statuses', async () => {
    emulator.inject({ route: 'list', kind: 'unknown-fields' });
    const { client } = akskClient(emulator, clock);
    const { instances } = await client.listInstances(window);
    expect(instances.find((i) => i.instanceId === '34769')?.status).toBe('quantum-state');
    expect(instances.find((i) => i.instanceId === '34765')).not.toHaveProperty('newField');
  });

  it('never retries a 401 with AK/SK (an AK locks after 5 failures)', async () => {
    const { client } = akskClient(emulator, clock, { sk: 'wrong-secret' });
    const error = await client.listInstances(window).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(emulator.count('list')).toBe(1);
    expect(String((error as Error).message)).not.toContain('wrong-secret');
  });

  it('maps 403 to AuthorizationError without retrying', async () => {
    emulator.inject({ route: 'list', kind: 403 });
    const { client } = akskClient(emulator, clock);
    await expect(client.listInstances(window)).rejects.toBeInstanceOf(AuthorizationError);
    expect(emulator.count('list')).toBe(1);
  });

  it('rejects a request signed more than 15 minutes off the gateway clock', async () => {
    const { client } = akskClient(emulator, { now: () => clock.now() - 16 * 60_000 });
    await expect(client.listInstances(window)).rejects.toBeInstanceOf(AuthenticationError);
  });

  it('bounds requests in flight (per account: here the transport has its own)', async () => {
    // Long enough that the bound is surely reached even on a loaded machine (never slower than the bound).
    emulator.setLatency(1_000);
    const { client } = akskClient(emulator, clock, { transport: { concurrency: 2 } });
    await Promise.all(Array.from({ length: 6 }, () => client.getInstance('ods_orders', '34765')));
    expect(emulator.maxInFlight()).toBe(2);
  });
});

describe('restart', () => {
  it('answers 204 and the instance runs again; headers carry project, workspace and Content-Type', async () => {
    const { client } = akskClient(emulator, clock);
    await expect(client.restartInstance('ods_orders', '34765')).resolves.toBeUndefined();
    expect(emulator.restarts(34765)).toBe(1);
    const sent = emulator.requests.at(-1)!;
    expect(sent.headers['x-project-id']).toBe(PROJECT);
    // Huawei's SDKs always send it; the gateway refuses a POST without it (400 APIGW.0106).
    expect(sent.headers['content-type']).toBe('application/json');
    expect(String(sent.headers.authorization)).toContain('content-type');
  });

  it('passes a gateway that requires Content-Type on a POST without a body', async () => {
    await emulator.close();
    ({ emulator, clock } = await emulatorWithClock({ requireContentType: true }));
    emulator.seed(PROJECT, undefined, [{ jobName: 'j', instanceId: 7, planTime: T0 - HOUR, status: 'fail' }]);
    const { client } = akskClient(emulator, clock);
    await client.restartInstance('j', '7');
    expect(emulator.restarts(7)).toBe(1);
    expect(emulator.count('restart', 400)).toBe(0);
  });

  it('encodes and signs Unicode job names', async () => {
    const { client } = akskClient(emulator, clock);
    await client.restartInstance('作业 日报(1)', '34766');
    expect(emulator.restarts(34766)).toBe(1);
    const detail = await client.getInstance('作业 日报(1)', '34766');
    expect(detail.status).toBe('running');
    expect(detail.nodes[0]).toMatchObject({ nodeName: 'main', retryTimes: 0 });
  });

  it('sends the optional body only when configured, signed', async () => {
    const { client } = akskClient(emulator, clock);
    await client.restartInstance('ods_orders', '34765', {
      retryLocation: 'error_node',
      jobParamVersion: 'latest_version',
    });
    const sent = emulator.requests.at(-1)!;
    expect(sent.headers['content-type']).toBe('application/json');
    expect(emulator.restarts(34765)).toBe(1);
  });

  it('maps DLF.0137 to InstanceNotFoundError', async () => {
    const { client } = akskClient(emulator, clock);
    await expect(client.restartInstance('ods_orders', '999')).rejects.toMatchObject({
      name: 'InstanceNotFoundError',
      dlfCode: 'DLF.0137',
    });
    await expect(client.getInstance('ods_orders', '999')).rejects.toBeInstanceOf(InstanceNotFoundError);
  });

  it.each([
    ['busy_job', '34768', 'DLF.EMU3'],
    ['manual_job', '34767', 'DLF.EMU2'],
  ])('rejects %s with the DLF code and message', async (job, id, code) => {
    const { client } = akskClient(emulator, clock);
    const error = await client.restartInstance(job, id).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RestartRejectedError);
    expect(error).toMatchObject({ dlfCode: code, status: 400 });
    expect(emulator.count('restart')).toBe(1);
  });

  it.each([429, 503] as const)('resends after %i: the request was certainly not processed', async (kind) => {
    emulator.inject({ route: 'restart', kind });
    const { client } = akskClient(emulator, clock);
    await expect(client.restartInstance('ods_orders', '34765')).resolves.toBeUndefined();
    expect(emulator.count('restart')).toBe(2);
    expect(emulator.restarts(34765)).toBe(1);
  });

  it('reports 429s that outlast the retries as certainly not sent', async () => {
    emulator.inject({ route: 'restart', kind: 429, times: 10 });
    const { client } = akskClient(emulator, clock, { transport: { retries: 2 } });
    const error = await client.restartInstance('ods_orders', '34765').catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'TransientError', code: 'THROTTLED', sent: false });
    expect(emulator.count('restart')).toBe(3);
    expect(emulator.restarts(34765)).toBe(0);
  });

  it.each([
    [502, true, 'SERVER_ERROR'],
    [504, true, 'SERVER_ERROR'],
    [500, true, 'SERVER_ERROR'],
    ['reset', true, 'NETWORK'],
    ['hang', true, 'TIMEOUT'],
    [502, false, 'SERVER_ERROR'],
    ['reset', false, 'NETWORK'],
    ['hang', false, 'TIMEOUT'],
  ] as const)(
    'after %s (processed: %s) it never resends: one POST, TransientError sent: true',
    async (kind, processed, code) => {
      emulator.inject({ route: 'restart', kind, processed });
      const { client } = akskClient(emulator, clock, { transport: HANG_TIMEOUT });
      const error = await client.restartInstance('ods_orders', '34765').catch((e: unknown) => e);
      expect(error).toMatchObject({ name: 'TransientError', code, sent: true });
      expect(emulator.count('restart')).toBe(1);
      expect(emulator.count('show')).toBe(0);
      expect(emulator.restarts(34765)).toBe(processed ? 1 : 0);
    },
  );

  it('does not resend after a timeout, even when the next answer would be a 503', async () => {
    emulator.inject({ route: 'restart', kind: 'hang', nth: 1, processed: true });
    emulator.inject({ route: 'restart', kind: 503, nth: 2 });
    const { client } = akskClient(emulator, clock, { transport: HANG_TIMEOUT });
    const error = await client.restartInstance('ods_orders', '34765').catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'TransientError', code: 'TIMEOUT', sent: true });
    expect(emulator.count('restart')).toBe(1);
    expect(emulator.restarts(34765)).toBe(1);
  });

  it('resends after a 503, then stops at a timeout: two POSTs, sent: true', async () => {
    emulator.inject({ route: 'restart', kind: 503, nth: 1 });
    emulator.inject({ route: 'restart', kind: 'hang', nth: 2 });
    const { client } = akskClient(emulator, clock, { transport: HANG_TIMEOUT });
    const error = await client.restartInstance('ods_orders', '34765').catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'TransientError', code: 'TIMEOUT', sent: true });
    expect(emulator.count('restart')).toBe(2);
  });

  it("keeps fetch's error types inside the client: a timeout's cause is a plain Error", async () => {
    emulator.inject({ route: 'restart', kind: 'hang' });
    const { client } = akskClient(emulator, clock, { transport: HANG_TIMEOUT });
    const error = (await client
      .restartInstance('ods_orders', '34765')
      .catch((e: unknown) => e)) as TransientError;
    expect(error).toMatchObject({ name: 'TransientError', code: 'TIMEOUT', sent: true });
    expect((error.cause as Error).constructor).toBe(Error);
    expect(emulator.restarts(34765)).toBe(0);
  });

  it('signs temporary credentials with X-Security-Token', async () => {
    const transport = new Transport({
      baseUrl: emulator.url,
      authenticator: new AkSkAuthenticator({ ak: AK, sk: SK, securityToken: 'temp-token-abc' }, PROJECT, () =>
        clock.now(),
      ),
      options: FAST,
    });
    const client = new DataArtsClient(transport, { projectId: PROJECT });
    await client.getInstance('ods_orders', '34765');
    const sent = emulator.requests.at(-1)!;
    expect(sent.headers['x-security-token']).toBe('temp-token-abc');
    expect(String(sent.headers.authorization)).toContain('x-security-token');
    expect(sent.status).toBe(200);
  });
});

describe('instance ids beyond 2^53', () => {
  it('keeps every digit from list to restart', async () => {
    const big = '9007199254740993123';
    emulator.seed(PROJECT, undefined, [
      { jobName: 'big', instanceId: big, planTime: T0 - HOUR, status: 'fail' },
    ]);
    const { client } = akskClient(emulator, clock);
    const { instances } = await client.listInstances(window, { jobName: 'big', preciseQuery: true });
    expect(instances[0]?.instanceId).toBe(big);
    await client.restartInstance('big', big);
    expect(emulator.restarts(big)).toBe(1);
  });
});
