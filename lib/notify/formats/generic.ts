import { createHmac } from 'node:crypto';
import type { Summary } from '../summary';
import type { WebhookRequest } from '../webhook-types';
import { plainText } from './plain';

/** Header names of the generic webhook's signature (documented in the README). */
export const SIGNATURE_HEADER = 'X-Autoretry-Signature';
export const TIMESTAMP_HEADER = 'X-Autoretry-Timestamp';

/**
 * The generic webhook gets everything: the summary's text and the whole JSON report,
 * unabridged (it is a program, not a chat, and has no size limit of ours). With a
 * secret, `X-Autoretry-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`
 * and `X-Autoretry-Timestamp: <epoch seconds>`: the receiver recomputes it over the raw
 * body and rejects old timestamps, so a captured request cannot be replayed later.
 */
export function genericRequest(
  summary: Summary,
  webhook: { url: string; secret?: string },
  nowMs: number,
): WebhookRequest {
  const body = JSON.stringify({
    subject: summary.subject,
    text: plainText(summary),
    hasProblem: summary.hasProblem,
    sections: summary.sections,
    report: summary.report,
  });
  if (!webhook.secret) return { url: webhook.url, body };
  const timestamp = String(Math.floor(nowMs / 1000));
  const signature = createHmac('sha256', webhook.secret).update(`${timestamp}.${body}`).digest('hex');
  return {
    url: webhook.url,
    headers: { [SIGNATURE_HEADER]: `sha256=${signature}`, [TIMESTAMP_HEADER]: timestamp },
    body,
  };
}
