import { TokenAuthenticator } from '../../lib/dataarts/auth';
import { DataArtsClient } from '../../lib/dataarts/client';
import { IamTokenProvider, TOKEN_REFRESH_MARGIN_MS } from '../../lib/dataarts/iam-token';
import { Transport } from '../../lib/dataarts/transport';
import { AuthenticationError } from '../../lib/errors';
import type { Emulator } from '../emulator/server';
import type { ManualClock } from '../support/manual-clock';
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

function tokenClient(password = PASSWORD) {
  const tokens = new IamTokenProvider(
    { user: 'sweeper', password, domain: 'acme', iamEndpoint: emulator.url },
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
});
