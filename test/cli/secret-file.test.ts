import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../lib/cli/main';
import { fakeIo } from './fake-io';

const TOKEN = 'ding-token-never-shown';

async function secretFile(webhooks: unknown): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), 'secret-file-')), 'secret.json');
  await writeFile(path, JSON.stringify({ webhooks }));
  return path;
}

describe('--secret-file', () => {
  it('names every bad webhook field, with its index, before anything is sent, never a value', async () => {
    const path = await secretFile({
      dingtalk: {
        url: `https://oapi.dingtalk.com/robot/send?access_token=${TOKEN}`,
        secret: '',
        mention: { mobiles: ['+8613800000000', 'call me'], userIds: ['u1', ''] },
      },
      slack: {
        url: 'https://hooks.slack.com/services/T0/B0/x',
        mention: { userIds: ['U1'], everyone: true },
      },
    });
    const io = fakeIo();
    const code = await runCli(['notify', 'test', '--secret-file', path, '--dry-run'], io);
    expect(code).toBe(2);
    expect(io.out()).toBe('');
    expect(io.err().split('\n')).toEqual([
      'dataarts-autoretry: invalid --secret-file webhooks.slack.mention.everyone: unknown key; allowed keys are userIds, groupIds, all',
      'dataarts-autoretry: invalid --secret-file webhooks.dingtalk.secret: must not be empty',
      'dataarts-autoretry: invalid --secret-file webhooks.dingtalk.mention.userIds[1]: must not be empty',
      'dataarts-autoretry: invalid --secret-file webhooks.dingtalk.mention.mobiles[1]: must be a phone number',
      '',
    ]);
    expect(io.err()).not.toContain(TOKEN);
  });
});
