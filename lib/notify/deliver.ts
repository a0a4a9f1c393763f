import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import ky from 'ky';
import type { Logger } from '../log';
import { plainText, type Summary } from './summary';
import { type Webhook, webhookRequest } from './webhooks';

export interface Channels {
  sns?: { client: Pick<SNSClient, 'send'>; topicArn: string };
  webhooks: readonly Webhook[];
  /** Per webhook request. */
  timeoutMs?: number;
}

export interface DeliveryResult {
  delivered: string[];
  failed: Array<{ channel: string; error: string }>;
}

/**
 * Sends one summary to every channel. A failed channel is logged and counted; it
 * never fails the sweep. Webhook URLs carry tokens, so they are never logged:
 * channels are named by kind and position only.
 */
export async function deliver(
  summary: Summary,
  channels: Channels,
  logger: Logger,
  now: () => number,
): Promise<DeliveryResult> {
  const result: DeliveryResult = { delivered: [], failed: [] };
  const attempts: Array<{ channel: string; send: () => Promise<unknown> }> = [];
  if (channels.sns) {
    const { client, topicArn } = channels.sns;
    attempts.push({
      channel: 'sns',
      send: () =>
        client.send(
          new PublishCommand({ TopicArn: topicArn, Subject: summary.subject, Message: plainText(summary) }),
        ),
    });
  }
  channels.webhooks.forEach((webhook, index) => {
    attempts.push({
      channel: `${webhook.kind}#${index}`,
      send: async () => {
        const request = webhookRequest(webhook, summary, now());
        await ky.post(request.url, { json: request.body, timeout: channels.timeoutMs ?? 5000, retry: 1 });
      },
    });
  });
  await Promise.all(
    attempts.map(async ({ channel, send }) => {
      try {
        await send();
        result.delivered.push(channel);
      } catch (error) {
        // ky's HTTPError message includes the URL (and so its token): keep only the status.
        const status = (error as { response?: { status?: number } }).response?.status;
        const reason = status ? `HTTP ${status}` : error instanceof Error ? error.name : 'failed';
        result.failed.push({ channel, error: reason });
        logger.warn('notification failed', { channel, error: reason });
      }
    }),
  );
  return result;
}
