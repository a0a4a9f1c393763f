/**
 * The request/answer half of "match Huawei's own definitions" (issue 10), client side,
 * against the emulator in its strict default mode: Content-Type on every POST, error
 * bodies in every shape the SDK core reads with their X-Request-Id, an IAM outage
 * that is not a refused login, a DNS failure that proves nothing was sent, the newer
 * status values, answers that must fail closed, header values that never leave.
 */

import type { ManualClock } from '../../emulator/manual-clock';
import type { Emulator, EmulatorOptions } from '../../emulator/server';
import { credentialsFromEnv } from '../../lib/config/credentials';
import { AkSkAuthenticator } from '../../lib/dataarts/auth';
import { DataArtsClient } from '../../lib/dataarts/client';
import { IamTokenProvider } from '../../lib/dataarts/iam-token';
import { Transport } from '../../lib/dataarts/transport';
import { ConfigError, describeError } from '../../lib/errors';
import { decide } from '../../lib/policy/decide';
import { AK, akskClient, emulatorWithClock, FAST, PROJECT, SK, T0 } from '../support/targets';

const MIN = 60_000;
const HOUR = 60 * MIN;
let emulator: Emulator;
let clock: ManualClock;
afterEach(async () => emulator?.close());

async function start(options: Partial<EmulatorOptions> = {}): Promise<void> {
  ({ emulator, clock } = await emulatorWithClock(options));
  emulator.seed(PROJECT, undefined, [
    { jobName: 'j', instanceId: 7, planTime: T0 - HOUR, startTime: T0 - HOUR, status: 'fail' },
    { jobName: 'j', instanceId: 8, planTime: T0 - HOUR, startTime: T0 - HOUR, status: 'fail' },
  ]);
}

describe('Content-Type on every restart POST (item 1)', () => {
  it('the default emulator refuses a POST without it (400 APIGW.0106); the client always sends it', async () => {
    await start();
    const { client } = akskClient(emulator, clock);
    await client.restartInstance('j', '7');
    await client.restartInstance('j', '8', { retryLocation: 'error_node' });
    expect(emulator.count('restart', 204)).toBe(2);
    expect(emulator.count('restart', 400)).toBe(0);
    const bare = await fetch(`${emulator.url}/v1/${PROJECT}/jobs/j/instances/7/restart`, { method: 'POST' });
    expect(bare.status).toBe(400);
    expect(await bare.json()).toMatchObject({ error_code: 'APIGW.0106' });
  });
});

describe('error bodies and request ids (item 6)', () => {
  it.each(['error_code', 'code', 'nested'] as const)(
    'reads the %s shape and keeps X-Request-Id',
    async (errorShape) => {
      await start({ errorShape });
      const { client } = akskClient(emulator, clock);
      const error = await client.restartInstance('j', '999').catch((e: unknown) => e);
      const requestId = emulator.requests.at(-1)?.requestId;
      expect(error).toMatchObject({ name: 'InstanceNotFoundError', dlfCode: 'DLF.0137', requestId });
      expect(describeError(error).message).toContain(`request id ${requestId}`);
    },
  );

  it('keeps the request id of a gateway refusal and of a 5xx', async () => {
    await start();
    emulator.inject({ route: 'restart', kind: 'route-missing' });
    emulator.inject({ route: 'restart', kind: 502, nth: 2 });
    const { client } = akskClient(emulator, clock);
    const refused = await client.restartInstance('j', '7').catch((e: unknown) => e);
    expect(refused).toMatchObject({
      name: 'GatewayRefusedError',
      code: 'GATEWAY_REFUSED',
      dlfCode: 'APIGW.0101',
      requestId: emulator.requests.at(-1)?.requestId,
    });
    const failed = await client.restartInstance('j', '7').catch((e: unknown) => e);
    expect(failed).toMatchObject({
      name: 'TransientError',
      sent: true,
      requestId: emulator.requests.at(-1)?.requestId,
    });
  });

  it('an IAM 5xx is transient, not a refused login: the next call gets a token', async () => {
    await start({ users: { 'dom/user': 'iam-password-Sup3rSecret!' } });
    const tokens = new IamTokenProvider(
      { user: 'user', password: 'iam-password-Sup3rSecret!', domain: 'dom', iamEndpoint: emulator.url },
      PROJECT,
      () => clock.now(),
      { ...FAST, retries: 1 },
    );
    emulator.inject({ route: 'token', kind: 500, times: 2 });
    await expect(tokens.token()).rejects.toMatchObject({ name: 'TransientError' });
    await expect(tokens.token()).rejects.toMatchObject({ name: 'TransientError' });
    await expect(tokens.token()).resolves.toMatch(/^MII/);
  });

  it('a DNS failure certainly did not reach DataArts: a restart is not sent, sent: false', async () => {
    const transport = new Transport({
      baseUrl: 'http://dayu-dlf.name-that-does-not-exist.invalid',
      authenticator: new AkSkAuthenticator({ ak: AK, sk: SK }, PROJECT, () => T0),
      options: { ...FAST, retries: 0 },
    });
    const client = new DataArtsClient(transport, { projectId: PROJECT });
    const error = await client.restartInstance('j', '7').catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'TransientError', code: 'NETWORK', sent: false });
  });
});

describe('status values of the newest SDK models (item 7)', () => {
  const rule = {
    name: 'default',
    enabled: true,
    statuses: ['fail'],
    instanceTypes: [0],
    maxAttempts: 3,
    firstRetryDelayMs: 0,
    backoff: { baseMs: 0, factor: 1, maxMs: 0, jitter: 'none' },
    skipSuperseded: false,
  } as unknown as Parameters<typeof decide>[2];
  const policy = { jobMatchers: [['*']], excludeMatchers: [] } as unknown as Parameters<
    typeof decide
  >[4]['policy'];

  it.each(['forceSuccess', 'ignoreSuccess'])('%s is not failed (not "unknown")', (status) => {
    const decision = decide(
      { jobName: 'j', instanceId: '1', status, planTime: T0 - HOUR },
      undefined,
      rule,
      T0,
      {
        policy,
      },
    );
    expect(decision).toMatchObject({ action: 'skip', reason: 'not-failed' });
  });
});

describe('answers that fail closed (item 8)', () => {
  it('{"total": 5} without instances is a malformed answer, not an empty one', async () => {
    await start();
    emulator.inject({ route: 'list', kind: 'custom', body: '{"total": 5}' });
    const { client } = akskClient(emulator, clock);
    await expect(client.countInstances({ from: T0 - HOUR, to: T0 })).rejects.toMatchObject({
      name: 'MalformedResponseError',
    });
  });

  it('the show answer without endTime leaves it unknown, and names the instance asked for', async () => {
    await start();
    emulator.state.all()[0]!.endTime = T0 - 30 * MIN;
    emulator.inject({ route: 'show', kind: 'end-time-missing' });
    const { client } = akskClient(emulator, clock);
    const detail = await client.getInstance('j', '7');
    expect(detail).toMatchObject({ jobName: 'j', instanceId: '7', status: 'fail', startTime: T0 - HOUR });
    expect(detail).not.toHaveProperty('endTime');
    expect(detail.nodes[0]).toMatchObject({ queue: 'default', instanceId: '701' });
  });
});

describe('credentials and headers are validated before any request (item 9)', () => {
  const TOKEN = 'temporary-security-token-VALUE-4Tq';
  it.each([
    ['HUAWEICLOUD_SDK_AK', { HUAWEICLOUD_SDK_AK: `${AK}\n`, HUAWEICLOUD_SDK_SK: SK }],
    ['HUAWEICLOUD_SDK_SK', { HUAWEICLOUD_SDK_AK: AK, HUAWEICLOUD_SDK_SK: `${SK} ` }],
    ['HUAWEICLOUD_SDK_SK', { HUAWEICLOUD_SDK_AK: AK, HUAWEICLOUD_SDK_SK: `a b${SK}` }],
    [
      'HUAWEICLOUD_SDK_SECURITY_TOKEN',
      { HUAWEICLOUD_SDK_AK: AK, HUAWEICLOUD_SDK_SK: SK, HUAWEICLOUD_SDK_SECURITY_TOKEN: `${TOKEN}\r\nX: y` },
    ],
    ['HUAWEICLOUD_SDK_AK', { HUAWEICLOUD_SDK_AK: 'AKé', HUAWEICLOUD_SDK_SK: SK }],
  ])('%s that a header cannot carry is a ConfigError naming it, never echoing it', (name, env) => {
    const error = (() => {
      try {
        credentialsFromEnv(env);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({ field: name });
    const text = `${(error as Error).message} ${JSON.stringify(error)}`;
    for (const value of [SK, TOKEN, `${AK}\n`]) expect(text).not.toContain(value);
  });

  it('a token with a newline that gets past configuration is refused unsent, the header value never echoed', async () => {
    await start();
    const transport = new Transport({
      baseUrl: emulator.url,
      authenticator: new AkSkAuthenticator({ ak: AK, sk: SK, securityToken: `${TOKEN}\n` }, PROJECT, () =>
        clock.now(),
      ),
      options: FAST,
    });
    const client = new DataArtsClient(transport, { projectId: PROJECT });
    const error = await client.restartInstance('j', '7').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    const text = `${(error as Error).message} ${JSON.stringify(describeError(error))}`;
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain('SDK-HMAC-SHA256');
    expect(emulator.requests).toHaveLength(0);
  });

  it('a workspace a header cannot carry is a ConfigError before anything is sent', async () => {
    await start();
    expect(() => akskClient(emulator, clock, { workspace: 'ws 1\n' })).toThrow(ConfigError);
    expect(emulator.requests).toHaveLength(0);
  });
});
