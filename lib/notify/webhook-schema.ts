import * as v from 'valibot';
import { strict } from '../config/schema/primitives';
import type { Mention, Webhook } from './webhook-types';

/**
 * The `webhooks` object of the secret, defined once: its schema and what it becomes.
 * The secret's schema (lib/lambda/secret.ts) embeds it as is. Webhook URLs hold
 * tokens, so they must be https; plain http is accepted only on a loopback address,
 * for tests and local previews, where nothing crosses a network.
 */
const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;

export function isAllowedWebhookUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.test(url.hostname));
  } catch {
    return false;
  }
}

const Url = v.pipe(
  v.string('must be a URL string'),
  v.check(isAllowedWebhookUrl, 'must be an https URL (http only on a loopback address)'),
);
const Secret = v.pipe(v.string('must be a string'), v.minLength(1, 'must not be empty'));
const Ids = v.pipe(
  v.array(
    v.pipe(v.string('must be a string'), v.minLength(1, 'must not be empty')),
    'must be an array of strings',
  ),
  v.maxLength(50, 'must have at most 50 entries'),
);
const Mobiles = v.pipe(
  v.array(
    v.pipe(v.string('must be a phone number'), v.regex(/^\+?[\d-]{5,20}$/, 'must be a phone number')),
    'must be an array',
  ),
  v.maxLength(50, 'must have at most 50 entries'),
);
const All = v.boolean('must be true or false');

/** Which mention fields each platform can carry: anything else is a typo or a misunderstanding. */
const MENTIONS = {
  slack: strict({ userIds: v.optional(Ids), groupIds: v.optional(Ids), all: v.optional(All) }),
  feishu: strict({ userIds: v.optional(Ids), all: v.optional(All) }),
  dingtalk: strict({ userIds: v.optional(Ids), mobiles: v.optional(Mobiles), all: v.optional(All) }),
  wecom: strict({ userIds: v.optional(Ids), mobiles: v.optional(Mobiles), all: v.optional(All) }),
};

function hook<E extends v.ObjectEntries>(entries: E, what: string) {
  return v.union([Url, strict({ url: Url, ...entries })], `must be a URL or ${what}`);
}

export const WebhooksSchema = v.pipe(
  strict({
    slack: v.optional(hook({ mention: v.optional(MENTIONS.slack) }, '{url, mention}')),
    feishu: v.optional(
      hook({ secret: v.optional(Secret), mention: v.optional(MENTIONS.feishu) }, '{url, secret, mention}'),
    ),
    dingtalk: v.optional(
      hook({ secret: v.optional(Secret), mention: v.optional(MENTIONS.dingtalk) }, '{url, secret, mention}'),
    ),
    wecom: v.optional(hook({ mention: v.optional(MENTIONS.wecom) }, '{url, mention}')),
    generic: v.optional(hook({ secret: v.optional(Secret) }, '{url, secret}')),
  }),
  v.transform((hooks): Webhook[] =>
    Object.entries(hooks).flatMap(([kind, entry]) => {
      if (entry === undefined) return [];
      const value =
        typeof entry === 'string' ? { url: entry } : (entry as { url: string; mention?: Mention });
      return [{ kind, ...value } as Webhook];
    }),
  ),
);

/** Every secret value a webhook carries (URLs hold tokens, signing secrets), for scrubbing output. */
export function webhookSecrets(webhooks: readonly Webhook[]): string[] {
  return webhooks.flatMap((w) => [w.url, ...('secret' in w && w.secret ? [w.secret] : [])]);
}
