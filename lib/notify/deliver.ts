import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { Logger } from '../log';
import { realSleep, type Sleep } from '../util/time';
import { snsMessage } from './formats/sns';
import { type PostResult, postWebhook } from './post';
import type { Summary } from './summary';
import { webhookRequests } from './webhook-requests';
import type { Webhook, WebhookKind } from './webhook-types';

export interface Channels {
  sns?: { client: Pick<SNSClient, 'send'>; topicArn: string };
  webhooks: readonly Webhook[];
}

export interface DeliveryOptions {
  now: () => number;
  /** Nothing is sent or retried after it (epoch ms). */
  deadline: number;
  sleep?: Sleep;
  /** Per webhook request (default 5 s). */
  timeoutMs?: number;
  /** Per webhook request, the first included (default 3). */
  maxAttempts?: number;
  baseDelayMs?: number;
  signal?: AbortSignal;
}

export interface ChannelFailure {
  /** `sns`, or the webhook's kind and position in the secret: `wecom#3`. Never its URL. */
  channel: string;
  platform: WebhookKind | 'sns';
  /** The platform's own code (`40058`, `310000`, `invalid_payload`) or `HTTP 503`, `TIMEOUT`. */
  code: string;
  message: string;
  attempts: number;
}

export interface DeliveryResult {
  delivered: string[];
  failed: ChannelFailure[];
}

/**
 * Sends one summary to every channel, each in its own format and size budget, and
 * checks each answer the way its platform reports failures. A failed channel is
 * logged and reported; it never fails the sweep. URLs carry tokens, so channels are
 * named by kind and position only.
 */
export async function deliver(
  summary: Summary,
  channels: Channels,
  logger: Logger,
  options: DeliveryOptions,
): Promise<DeliveryResult> {
  const result: DeliveryResult = { delivered: [], failed: [] };
  const sends: Array<{ channel: string; platform: WebhookKind | 'sns'; send: () => Promise<PostResult> }> =
    [];
  if (channels.sns)
    sends.push({ channel: 'sns', platform: 'sns', send: () => publish(summary, channels.sns!) });
  channels.webhooks.forEach((webhook, index) => {
    sends.push({
      channel: `${webhook.kind}#${index}`,
      platform: webhook.kind,
      send: () => sendWebhook(webhook, summary, options),
    });
  });
  await Promise.all(
    sends.map(async ({ channel, platform, send }) => {
      const outcome = await send();
      if (outcome.ok) {
        result.delivered.push(channel);
        return;
      }
      const failure = {
        channel,
        platform,
        code: outcome.code,
        message: outcome.message,
        attempts: outcome.attempts,
      };
      result.failed.push(failure);
      logger.warn('notification failed', { ...failure });
    }),
  );
  return result;
}

/** A WeCom mention is a second message: it is sent only if the summary arrived. */
async function sendWebhook(
  webhook: Webhook,
  summary: Summary,
  options: DeliveryOptions,
): Promise<PostResult> {
  let last: PostResult = { ok: true, attempts: 0 };
  for (const request of webhookRequests(webhook, summary, options.now())) {
    last = await postWebhook(webhook.kind, request, {
      now: options.now,
      sleep: options.sleep ?? realSleep,
      deadline: options.deadline,
      timeoutMs: options.timeoutMs ?? 5000,
      maxAttempts: options.maxAttempts ?? 3,
      baseDelayMs: options.baseDelayMs ?? 1000,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    if (!last.ok) return last;
  }
  return last;
}

async function publish(summary: Summary, sns: NonNullable<Channels['sns']>): Promise<PostResult> {
  const { subject, message } = snsMessage(summary);
  try {
    await sns.client.send(new PublishCommand({ TopicArn: sns.topicArn, Subject: subject, Message: message }));
    return { ok: true, attempts: 1 };
  } catch (error) {
    const name = error instanceof Error ? error.name : 'Error';
    return { ok: false, code: name, message: '', retry: false, attempts: 1 };
  }
}
