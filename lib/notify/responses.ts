import type { WebhookKind } from './webhook-types';

/** What a platform's answer means. `code` and `message` are the platform's own. */
export type Verdict = { ok: true } | { ok: false; code: string; message: string; retry: boolean };

/**
 * Feishu, DingTalk and WeCom answer HTTP 200 to most failures and put the error in the
 * body, so the status alone proves nothing:
 * - Feishu: `{code, msg}`, 0 on success (older bots: `StatusCode`), e.g. 19021 bad
 *   signature, 19024 keyword missing, 9499 bad request, 11232 too many messages.
 * - DingTalk: `{errcode, errmsg}`, 0 on success, e.g. 310000 keyword/signature/IP
 *   refused, 130101 more than 20 messages a minute, 300001 bad token.
 * - WeCom: `{errcode, errmsg}`, 0 on success, e.g. 40058 content too long, 45009 over
 *   20 messages a minute, 93000 bad key.
 * - Slack: the body is `ok`, or an error token (`invalid_payload`, `no_text`,
 *   `channel_not_found`, `rate_limited`…) with a 4xx/5xx status
 *   (https://api.slack.com/messaging/webhooks#handling_errors).
 * - generic: any 2xx.
 * Only 429 and 5xx are retried. A body-level refusal is not: a bad signature or a
 * missing keyword fails the same way again, and the platforms' rate-limit windows (one
 * minute, ten for DingTalk) are longer than the time a sweep keeps for notifying.
 */
export function judge(kind: WebhookKind, status: number, text: string): Verdict {
  const body = parse(text);
  const detail = platformError(kind, body, text);
  if (status === 429 || status >= 500)
    return { ok: false, code: detail?.code ?? `HTTP ${status}`, message: detail?.message ?? '', retry: true };
  if (status < 200 || status >= 300)
    return {
      ok: false,
      code: detail?.code ?? `HTTP ${status}`,
      message: detail?.message ?? '',
      retry: false,
    };
  return detail ? { ok: false, ...detail, retry: false } : { ok: true };
}

function platformError(
  kind: WebhookKind,
  body: Record<string, unknown> | undefined,
  text: string,
): { code: string; message: string } | undefined {
  switch (kind) {
    case 'slack': {
      const token = text.trim();
      return /^[a-z_]+$/.test(token) && token !== 'ok' ? { code: token, message: '' } : undefined;
    }
    case 'feishu':
      return coded(body?.code ?? body?.StatusCode, body?.msg ?? body?.StatusMessage);
    case 'dingtalk':
    case 'wecom':
      return coded(body?.errcode, body?.errmsg);
    case 'generic':
      return undefined;
  }
}

/** A platform code: 0 is success; a missing code is a failure too (not that platform answering). */
function coded(code: unknown, message: unknown): { code: string; message: string } | undefined {
  if (code === 0 || code === '0') return undefined;
  return {
    code: code === undefined ? 'NO_CODE' : String(code),
    message: typeof message === 'string' ? scrub(message) : '',
  };
}

function parse(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Platform messages are shown in the report: links (which could echo a URL) are dropped, length capped. */
export function scrub(message: string): string {
  return message.replace(/https?:\/\/\S+/g, '[link]').slice(0, 200);
}
