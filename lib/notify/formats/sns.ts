import { fitSummary, utf8Bytes } from '../fit';
import type { Summary } from '../summary';
import { plainText } from './plain';

/**
 * SNS Publish: a message is at most 256 KB (AWS SNS Publish API reference, "Message");
 * email subscribers get it whole. The subject is cut in summary.ts (under 100 characters).
 */
const SNS_MESSAGE_BUDGET = 250_000;

export function snsMessage(summary: Summary): { subject: string; message: string } {
  const message = fitSummary(summary, plainText, (text) => utf8Bytes(text) <= SNS_MESSAGE_BUDGET);
  return { subject: summary.subject, message };
}
