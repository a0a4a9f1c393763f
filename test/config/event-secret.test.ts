import { ConfigError } from '../../lib/errors';
import { parseSweepEvent } from '../../lib/lambda/event';
import { parseSecret } from '../../lib/lambda/secret';

const thrown = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return error as ConfigError;
  }
  throw new Error('did not throw');
};

describe('parseSweepEvent', () => {
  it.each([
    [undefined, {}],
    [{ source: 'aws.events', 'detail-type': 'Scheduled Event' }, {}],
    [{ source: 'aws.events', 'detail-type': 'Scheduled Event', resources: [], detail: {} }, {}],
    [
      { dryRun: true, jobs: ['ods_*'], lookback: '48h' },
      { dryRun: true, jobs: ['ods_*'], lookback: '48h' },
    ],
  ])('%j gives %j', (event, overrides) => expect(parseSweepEvent(event)).toEqual(overrides));

  it("refuses every key the schedule's event does not carry, each by name", () => {
    const error = thrown(() =>
      parseSweepEvent({
        source: 'aws.events',
        'detail-type': 'Scheduled Event',
        detail: { jobs: ['ods_*'], lookback: '1h' },
        dryRun: true,
        ignoreStormGuard: true,
      }),
    );
    expect(error.issues.map((i) => i.field)).toEqual([
      'event.detail.jobs',
      'event.detail.lookback',
      'event.dryRun',
      'event.ignoreStormGuard',
    ]);
    expect(error.issues[2]?.problem).toMatch(
      /^unknown key in a scheduled event; allowed keys are version, id/,
    );
  });

  it('reports every problem at once, naming each field', () => {
    const error = thrown(() => parseSweepEvent({ dryRun: 'yes', jobs: [], lookback: '90d', force: 1 }));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.issues.map((i) => i.field)).toEqual([
      'event.force',
      'event.dryRun',
      'event.jobs',
      'event.lookback',
    ]);
    expect(error.message).toContain('event.lookback: must be from 1m to 30d, got "90d"');
  });
});

describe('parseSecret', () => {
  const SK = 'sk-value-never-shown';
  it('reads credentials and webhooks, listing every secret value', () => {
    const secret = parseSecret(
      JSON.stringify({
        HUAWEICLOUD_SDK_AK: 'ak',
        HUAWEICLOUD_SDK_SK: SK,
        webhooks: { slack: 'https://hooks.example/x' },
      }),
    );
    expect(secret.credentials).toEqual({ kind: 'aksk', ak: 'ak', sk: SK });
    expect(secret.webhooks).toEqual([{ kind: 'slack', url: 'https://hooks.example/x' }]);
    expect(secret.values).toEqual([SK, 'https://hooks.example/x']);
  });

  it('names every bad webhook field, with its index, and what is wrong, never a value', () => {
    const error = thrown(() =>
      parseSecret(
        JSON.stringify({
          HUAWEICLOUD_SDK_AK: 'ak',
          HUAWEICLOUD_SDK_SK: SK,
          webhooks: {
            dingtalk: {
              url: 'https://oapi.dingtalk.com/robot/send?access_token=ding-token-1',
              secret: '',
              mention: { userIds: ['u1', ''], mobiles: ['+8613800000000', 'call me'] },
            },
            slack: {
              url: 'https://hooks.slack.com/services/T0/B0/slack-token-1',
              mention: { groupIds: [7] },
            },
          },
        }),
      ),
    );
    expect(error.message.split('\n')).toEqual([
      'secret.webhooks.slack.mention.groupIds[0]: must be a string',
      'secret.webhooks.dingtalk.secret: must not be empty',
      'secret.webhooks.dingtalk.mention.userIds[1]: must not be empty',
      'secret.webhooks.dingtalk.mention.mobiles[1]: must be a phone number',
    ]);
    expect(error.message).not.toContain('token-1');
  });

  it('names every bad key and never repeats a value', () => {
    const error = thrown(() =>
      parseSecret(
        JSON.stringify({ HUAWEICLOUD_SDK_AK: 12345, HUAWEICLOUD_SDK_SK: SK, HUAWEICLOUD_SDK_SK2: SK }),
      ),
    );
    expect(error.issues.map((i) => i.field)).toEqual([
      'secret.HUAWEICLOUD_SDK_SK2',
      'secret.HUAWEICLOUD_SDK_AK',
    ]);
    expect(error.message).not.toContain(SK);
    expect(error.message).not.toContain('12345');
  });
});
