import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WebhookKind } from '../../lib/notify/webhook-types';

/** What a platform answers next: its success, a refusal (HTTP 200 + code where it does that), 429, 5xx. */
export type Scripted = 'ok' | 'reject' | '429' | '503' | 'oversize';

export interface ChatRequest {
  kind: WebhookKind;
  path: string;
  headers: IncomingHttpHeaders;
  text: string;
  body: Record<string, unknown>;
}

interface Answer {
  status: number;
  body: string;
  headers?: Record<string, string>;
}

const json = (status: number, value: unknown): Answer => ({ status, body: JSON.stringify(value) });
const bytes = (text: unknown) => Buffer.byteLength(String(text ?? ''), 'utf8');

/** Each platform's answers, as its documentation shows them (see lib/notify/responses.ts). */
const ANSWERS: Record<WebhookKind, Record<Scripted | 'badSign', Answer>> = {
  slack: {
    ok: { status: 200, body: 'ok' },
    reject: { status: 400, body: 'invalid_payload' },
    '429': { status: 429, body: 'rate_limited', headers: { 'Retry-After': '2' } },
    '503': { status: 503, body: 'service_unavailable' },
    oversize: { status: 400, body: 'invalid_blocks' },
    badSign: { status: 403, body: 'invalid_token' },
  },
  feishu: {
    ok: json(200, { code: 0, msg: 'success', data: {} }),
    reject: json(200, { code: 19024, msg: 'Key Words Not Found' }),
    '429': json(429, { code: 11232, msg: 'frequency limited' }),
    '503': json(503, { code: 500, msg: 'internal error' }),
    oversize: json(200, { code: 9499, msg: 'Bad Request: request body too large' }),
    badSign: json(200, {
      code: 19021,
      msg: 'sign match fail or timestamp is not within one hour from current time',
    }),
  },
  dingtalk: {
    ok: json(200, { errcode: 0, errmsg: 'ok' }),
    reject: json(200, { errcode: 310000, errmsg: 'keywords not in content' }),
    '429': json(429, { errcode: 130101, errmsg: 'send too fast' }),
    '503': json(503, { errcode: -1, errmsg: 'system busy' }),
    oversize: json(200, { errcode: 460101, errmsg: 'message too long' }),
    badSign: json(200, { errcode: 310000, errmsg: 'sign not match' }),
  },
  wecom: {
    ok: json(200, { errcode: 0, errmsg: 'ok' }),
    reject: json(200, { errcode: 93000, errmsg: 'invalid webhook url' }),
    '429': json(429, { errcode: 45009, errmsg: 'api freq out of limit' }),
    '503': json(503, { errcode: -1, errmsg: 'system busy' }),
    oversize: json(200, {
      errcode: 40058,
      errmsg:
        'markdown.content exceed max length 4096. more info at https://open.work.weixin.qq.com/devtool/query?e=40058',
    }),
    badSign: json(200, { errcode: 93000, errmsg: 'invalid webhook url' }),
  },
  generic: {
    ok: { status: 204, body: '' },
    reject: { status: 400, body: 'bad request' },
    '429': { status: 429, body: '' },
    '503': { status: 503, body: '' },
    oversize: { status: 413, body: '' },
    badSign: { status: 401, body: 'bad signature' },
  },
};

/** True when the request is over the platform's documented limit. */
function oversize(kind: WebhookKind, text: string, body: Record<string, unknown>): boolean {
  const md = body.markdown as { content?: string; text?: string } | undefined;
  switch (kind) {
    case 'slack': {
      const blocks = (body.blocks as Array<{ type: string; text?: { text: string } }>) ?? [];
      return (
        blocks.length > 50 ||
        blocks.some((b) => (b.text?.text.length ?? 0) > (b.type === 'header' ? 150 : 3000)) ||
        JSON.stringify(blocks).length > 13_000
      );
    }
    case 'feishu':
      return bytes(text) > 20 * 1024;
    case 'dingtalk':
      return bytes(md?.text) > 20_000;
    case 'wecom':
      return body.msgtype === 'markdown'
        ? bytes(md?.content) > 4096
        : bytes((body.text as { content: string }).content) > 2048;
    case 'generic':
      return false;
  }
}

function signedWell(
  kind: WebhookKind,
  request: ChatRequest,
  secret: string | undefined,
  nowMs: number,
): boolean {
  if (!secret) return true;
  const url = new URL(request.path, 'http://x');
  if (kind === 'feishu') {
    const ts = String(request.body.timestamp);
    const expected = createHmac('sha256', `${ts}\n${secret}`).update('').digest('base64');
    return request.body.sign === expected && Math.abs(Number(ts) * 1000 - nowMs) < 3_600_000;
  }
  if (kind === 'dingtalk') {
    const ts = url.searchParams.get('timestamp') ?? '';
    const expected = createHmac('sha256', secret).update(`${ts}\n${secret}`).digest('base64');
    return url.searchParams.get('sign') === expected && Math.abs(Number(ts) - nowMs) < 3_600_000;
  }
  if (kind === 'generic') {
    const ts = String(request.headers['x-autoretry-timestamp']);
    const expected = createHmac('sha256', secret).update(`${ts}.${request.text}`).digest('hex');
    return request.headers['x-autoretry-signature'] === `sha256=${expected}`;
  }
  return true;
}

export interface ChatServers {
  /** Base URL; each platform lives under `/<kind>/`. */
  url: string;
  received: ChatRequest[];
  /** Answers to give next, per platform, before going back to checking and answering like it. */
  script(kind: WebhookKind, ...answers: Scripted[]): void;
  close(): Promise<void>;
}

/**
 * One local HTTP server that answers like Slack, Feishu, DingTalk, WeCom and a generic
 * receiver: it checks signatures (with `secrets`) and size limits as the platforms
 * document them, and answers with each platform's own success and error bodies.
 */
export async function startChatServers(
  secrets: Partial<Record<WebhookKind, string>> = {},
  now: () => number = Date.now,
): Promise<ChatServers> {
  const received: ChatRequest[] = [];
  const queues = new Map<WebhookKind, Scripted[]>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const kind = (req.url ?? '').split('/')[1] as WebhookKind;
      const request: ChatRequest = {
        kind,
        path: req.url ?? '',
        headers: req.headers,
        text,
        body: JSON.parse(text || '{}'),
      };
      received.push(request);
      const scripted = queues.get(kind)?.shift();
      const answers = ANSWERS[kind];
      const answer = scripted
        ? answers[scripted]
        : !signedWell(kind, request, secrets[kind], now())
          ? answers.badSign
          : oversize(kind, text, request.body)
            ? answers.oversize
            : answers.ok;
      res.writeHead(answer.status, { 'Content-Type': 'application/json', ...answer.headers });
      res.end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    script: (kind, ...answers) => queues.set(kind, [...(queues.get(kind) ?? []), ...answers]),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
