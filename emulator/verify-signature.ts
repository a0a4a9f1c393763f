import { createHash, createHmac } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/**
 * Verifies an `SDK-HMAC-SHA256` signature the way the API gateway does, from the
 * request as it arrived on the wire. Deliberately written apart from lib/dataarts/signer.ts
 * so that a bug there cannot hide itself here.
 */

const MAX_SKEW_MS = 15 * 60_000;
const AUTH = /^SDK-HMAC-SHA256\s+Access=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})$/;

export type Verdict = { ok: true; ak: string } | { ok: false; reason: string };

function rfc3986(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-_.~]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

export function verifySignature(
  request: IncomingMessage,
  body: string,
  secrets: ReadonlyMap<string, string>,
  now: number,
): Verdict {
  const header = request.headers.authorization;
  if (!header) return { ok: false, reason: 'no Authorization header' };
  const match = AUTH.exec(header);
  if (!match) return { ok: false, reason: 'malformed Authorization header' };
  const [, ak, signedList, signature] = match as unknown as [string, string, string, string];
  const sk = secrets.get(ak);
  if (sk === undefined) return { ok: false, reason: 'unknown access key' };

  const date = request.headers['x-sdk-date'];
  if (typeof date !== 'string' || !/^\d{8}T\d{6}Z$/.test(date))
    return { ok: false, reason: 'bad X-Sdk-Date' };
  const when = Date.UTC(
    Number(date.slice(0, 4)),
    Number(date.slice(4, 6)) - 1,
    Number(date.slice(6, 8)),
    Number(date.slice(9, 11)),
    Number(date.slice(11, 13)),
    Number(date.slice(13, 15)),
  );
  if (Math.abs(when - now) > MAX_SKEW_MS) return { ok: false, reason: 'clock skew over 15 minutes' };

  const signed = signedList.split(';');
  if (!signed.includes('x-sdk-date')) return { ok: false, reason: 'x-sdk-date not signed' };

  const rawUrl = request.url ?? '/';
  const q = rawUrl.indexOf('?');
  const rawPath = q < 0 ? rawUrl : rawUrl.slice(0, q);
  const rawQuery = q < 0 ? '' : rawUrl.slice(q + 1);
  let uri = rawPath
    .split('/')
    .map((segment) => rfc3986(decode(segment)))
    .join('/');
  if (!uri.endsWith('/')) uri += '/';

  const pairs = rawQuery
    .split('&')
    .filter((p) => p !== '')
    .map((p) => {
      const eq = p.indexOf('=');
      return eq < 0 ? [decode(p), ''] : [decode(p.slice(0, eq)), decode(p.slice(eq + 1))];
    }) as Array<[string, string]>;
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  const query = pairs.map(([k, v]) => `${rfc3986(k)}=${rfc3986(v)}`).join('&');

  const lines: string[] = [];
  for (const name of signed) {
    const value = request.headers[name];
    if (value === undefined) return { ok: false, reason: `signed header ${name} missing` };
    lines.push(`${name}:${String(value).trim()}\n`);
  }
  const contentHash =
    (request.headers['x-sdk-content-sha256'] as string | undefined) ??
    createHash('sha256').update(body, 'utf8').digest('hex');
  const canonical = [request.method, uri, query, lines.join(''), signedList, contentHash].join('\n');
  const toSign = `SDK-HMAC-SHA256\n${date}\n${createHash('sha256').update(canonical, 'utf8').digest('hex')}`;
  const expected = createHmac('sha256', sk).update(toSign, 'utf8').digest('hex');
  return expected === signature ? { ok: true, ak } : { ok: false, reason: 'signature mismatch' };
}
