import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ManualClock } from '../../emulator/manual-clock';
import type { Emulator } from '../../emulator/server';
import { TokenAuthenticator } from '../../lib/dataarts/auth';
import { DataArtsClient } from '../../lib/dataarts/client';
import { IamTokenProvider, TOKEN_REFRESH_MARGIN_MS } from '../../lib/dataarts/iam-token';
import { Transport } from '../../lib/dataarts/transport';
import { AuthenticationError } from '../../lib/errors';
import { emulatorWithClock, FAST, PROJECT, T0 } from '../support/targets';

const PASSWORD = 'iam-password-Sup3rSecret!';
let emulator: Emulator;
let clock: ManualClock;

beforeEach(async () => {
  ({ emulator, clock } = await emulatorWithClock({
    users: { 'acme/sweeper': PASSWORD },
    tokenTtlMs: 24 * 3_600_000,
  }));
  emulator.seed(PROJECT, undefined, [{ jobName: 'j', instanceId: 1, planTime: T0 - 1000, status: 'fail' }]);
});
afterEach(async () => emulator.close());

/** An IAM endpoint that answers every login with `status` (the emulator's IAM only says 201 or 401). */
async function iamAnswering(status: number) {
  let count = 0;
  const server = createServer((_req, res) => {
    count++;
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ error_code: 'IAM.0001', error_msg: 'Injected.' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => count,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function tokenClient(password = PASSWORD, iamEndpoint = emulator.url) {
  const tokens = new IamTokenProvider(
    { user: 'sweeper', password, domain: 'acme', iamEndpoint },
    PROJECT,
    () => clock.now(),
    FAST,
  );
  const transport = new Transport({
    baseUrl: emulator.url,
    authenticator: new TokenAuthenticator(tokens),
    options: FAST,
  });
  return { tokens, client: new DataArtsClient(transport, { projectId: PROJECT }) };
}

describe('IAM password token', () => {
  it('is fetched once and cached across requests, sent as X-Auth-Token', async () => {
    const { client, tokens } = tokenClient();
    await Promise.all([
      client.getInstance('j', '1'),
      client.getInstance('j', '1'),
      client.getInstance('j', '1'),
    ]);
    await client.getInstance('j', '1');
    expect(tokens.fetched).toBe(1);
    expect(emulator.count('token')).toBe(1);
    expect(emulator.requests.at(-1)?.headers['x-auth-token']).toMatch(/^MII/);
    const tokenRequest = emulator.requests.find((r) => r.route === 'token')!;
    expect(tokenRequest.headers['content-type']).toBe('application/json;charset=utf8');
  });

  it('is refreshed shortly before expires_at', async () => {
    const { client, tokens } = tokenClient();
    await client.getInstance('j', '1');
    clock.advance(24 * 3_600_000 - TOKEN_REFRESH_MARGIN_MS - 1000);
    await client.getInstance('j', '1');
    expect(tokens.fetched).toBe(1);
    clock.advance(2000);
    await client.getInstance('j', '1');
    expect(tokens.fetched).toBe(2);
  });

  it('is refreshed once on 401 and the request succeeds', async () => {
    const { client, tokens } = tokenClient();
    await client.getInstance('j', '1');
    emulator.expireTokens();
    await expect(client.getInstance('j', '1')).resolves.toMatchObject({ instanceId: '1' });
    expect(tokens.fetched).toBe(2);
    expect(emulator.count('show', 401)).toBe(1);
  });

  it('fails with AuthenticationError on a wrong password, without the password in the error', async () => {
    const { client } = tokenClient('not-the-password');
    const error = await client.getInstance('j', '1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(JSON.stringify(error) + String(error)).not.toContain('not-the-password');
    expect(emulator.count('token')).toBe(1);
  });

  it('never tries a refused login again (IAM locks a user after 5 failed logins)', async () => {
    const { client, tokens } = tokenClient('not-the-password');
    const first = await client.getInstance('j', '1').catch((e: unknown) => e);
    const later = await Promise.all(
      [client.getInstance('j', '1'), tokens.token()].map((p) => p.catch((e: unknown) => e)),
    );
    expect(later).toEqual([first, first]);
    expect(emulator.count('token')).toBe(1);
    expect(emulator.count('show')).toBe(0);
  });

  it.each([
    [403, 'AuthorizationError'],
    [400, 'AuthenticationError'],
  ])('a login refused with %i is never tried again either', async (status, name) => {
    const iam = await iamAnswering(status);
    try {
      const { tokens } = tokenClient(PASSWORD, iam.url);
      const first = await tokens.token().catch((e: unknown) => e);
      expect(first).toMatchObject({ name });
      await expect(tokens.token()).rejects.toBe(first);
      expect(iam.requests()).toBe(1);
    } finally {
      await iam.close();
    }
  });

  it('an IAM outage (500) is a TransientError of the request, certainly not sent', async () => {
    const iam = await iamAnswering(500);
    try {
      const { client } = tokenClient(PASSWORD, iam.url);
      const error = await client.restartInstance('j', '1').catch((e: unknown) => e);
      expect(error).toMatchObject({ name: 'TransientError', code: 'SERVER_ERROR', sent: false });
      expect(emulator.count('restart')).toBe(0);
      // Not a refused login: the next request asks IAM again.
      await client.getInstance('j', '1').catch(() => undefined);
      expect(iam.requests()).toBe(2);
    } finally {
      await iam.close();
    }
  });
});
