import { createHash, createHmac } from 'node:crypto';

/**
 * Huawei Cloud API Gateway request signing, `SDK-HMAC-SHA256`.
 * Written here rather than taken from Huawei's SDK core, which pulls in lodash,
 * moment, axios and log4js (~140 KB bundled for this one function).
 */

export const SIGNING_ALGORITHM = 'SDK-HMAC-SHA256';
const EMPTY_BODY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

export interface SignableRequest {
  method: string;
  /**
   * The path as sent, each segment percent-encoded on its own, e.g.
   * `/v1/p/jobs/%E4%BD%9C%E4%B8%9A%201/instances/7` (see `apiPath`).
   */
  path: string;
  /** Query parameters; an array value is a repeated name. */
  query?: Record<string, string | readonly string[]>;
  /** Headers to sign (Host and X-Sdk-Date must be among them). */
  headers: Record<string, string>;
  /** The exact body bytes sent, if any. */
  body?: string;
}

export interface AkSk {
  ak: string;
  sk: string;
}

/** Percent-encodes everything but RFC 3986 unreserved characters, as the gateway does. */
export function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** A decoded path (no parameter holding `/`) as sent on the wire: each segment encoded. */
export function encodePath(path: string): string {
  return path.split('/').map(percentEncode).join('/');
}

/**
 * Canonical URI, as the gateway computes it from the path it receives: each segment
 * decoded, then encoded again (RFC 3986 unreserved kept), ending with `/` for signing
 * only. An encoded `/` inside a segment (`%2F`) stays inside it.
 */
export function canonicalUri(wirePath: string): string {
  const encoded = wirePath
    .split('/')
    .map((segment) => percentEncode(decodeSegment(segment)))
    .join('/');
  return encoded.endsWith('/') ? encoded : `${encoded}/`;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Canonical query: names sorted, repeated names sorted by value, `k=` for empty values. */
export function canonicalQuery(query: SignableRequest['query'] = {}): string {
  const pairs: string[] = [];
  for (const name of Object.keys(query).sort()) {
    const raw = query[name] ?? '';
    const values = typeof raw === 'string' ? [raw] : [...raw].sort();
    for (const value of values) pairs.push(`${percentEncode(name)}=${percentEncode(value)}`);
  }
  return pairs.join('&');
}

function sortedHeaderNames(headers: Record<string, string>): string[] {
  return Object.keys(headers)
    .map((name) => name.toLowerCase())
    .sort();
}

export function canonicalRequest(request: SignableRequest): { text: string; signedHeaders: string } {
  const lower: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) lower[name.toLowerCase()] = value.trim();
  const names = sortedHeaderNames(request.headers);
  const canonicalHeaders = names.map((name) => `${name}:${lower[name]}\n`).join('');
  const signedHeaders = names.join(';');
  const payloadHash =
    lower['x-sdk-content-sha256'] ??
    // Stryker disable next-line ConditionalExpression,StringLiteral: `=== ''` → false or another string is equivalent, sha256Hex('') is EMPTY_BODY_SHA256.
    (request.body === undefined || request.body === '' ? EMPTY_BODY_SHA256 : sha256Hex(request.body));
  const text = [
    request.method.toUpperCase(),
    canonicalUri(request.path),
    canonicalQuery(request.query),
    canonicalHeaders,
    signedHeaders,
    payloadHash,
  ].join('\n');
  return { text, signedHeaders };
}

export function sha256Hex(text: string): string {
  // Stryker disable next-line StringLiteral: equivalent, Node reads a string as UTF-8 when the encoding is empty.
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Formats a time as `YYYYMMDDTHHMMSSZ` (UTC), the `X-Sdk-Date` format. */
export function sdkDate(epochMs: number): string {
  return `${new Date(epochMs).toISOString().replace(/[-:]/g, '').slice(0, 15)}Z`;
}

/**
 * Returns the `Authorization` header value for a request whose headers already
 * include `X-Sdk-Date` (and Host). Every header given is signed.
 */
export function signRequest(request: SignableRequest, credentials: AkSk): string {
  const date = Object.entries(request.headers).find(([name]) => name.toLowerCase() === 'x-sdk-date')?.[1];
  if (!date) throw new Error('X-Sdk-Date must be set before signing');
  const { text, signedHeaders } = canonicalRequest(request);
  const stringToSign = `${SIGNING_ALGORITHM}\n${date}\n${sha256Hex(text)}`;
  // Stryker disable next-line StringLiteral: equivalent, Node reads a string as UTF-8 when the encoding is empty.
  const signature = createHmac('sha256', credentials.sk).update(stringToSign, 'utf8').digest('hex');
  return `${SIGNING_ALGORITHM} Access=${credentials.ak}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
}
