import type { Webhook, WebhookKind } from '../../lib/notify/webhook-types';
import { SIGNING_SECRET, WEBHOOK_TOKEN } from '../support/secrets';

export const KINDS: readonly WebhookKind[] = ['slack', 'feishu', 'dingtalk', 'wecom', 'generic'];

/**
 * One webhook per platform on the local chat servers, each URL holding the test token
 * and every signable one signed with the test secret, so the secrets scan (which
 * fails a test whose output shows either) covers every channel.
 */
export function chatWebhooks(base: string, withMentions = false): Webhook[] {
  const mention = withMentions;
  return [
    {
      kind: 'slack',
      url: `${base}/slack/services/T000/B000/${WEBHOOK_TOKEN}`,
      ...(mention ? { mention: { userIds: ['U024BE7LH'], groupIds: ['SAZ94GDB8'] } } : {}),
    },
    {
      kind: 'feishu',
      url: `${base}/feishu/open-apis/bot/v2/hook/${WEBHOOK_TOKEN}`,
      secret: SIGNING_SECRET,
      ...(mention ? { mention: { userIds: ['ou_7d8a6e6df7621556ce0d21922b676706ccs'], all: true } } : {}),
    },
    {
      kind: 'dingtalk',
      url: `${base}/dingtalk/robot/send?access_token=${WEBHOOK_TOKEN}`,
      secret: SIGNING_SECRET,
      ...(mention ? { mention: { mobiles: ['13800138000'], userIds: ['manager8432'] } } : {}),
    },
    {
      kind: 'wecom',
      url: `${base}/wecom/cgi-bin/webhook/send?key=${WEBHOOK_TOKEN}`,
      ...(mention ? { mention: { userIds: ['zhangsan'], mobiles: ['13800138000'] } } : {}),
    },
    { kind: 'generic', url: `${base}/generic/hooks/${WEBHOOK_TOKEN}`, secret: SIGNING_SECRET },
  ];
}

export const SIGNING_SECRETS: Partial<Record<WebhookKind, string>> = {
  feishu: SIGNING_SECRET,
  dingtalk: SIGNING_SECRET,
  generic: SIGNING_SECRET,
};
