import { createHmac } from 'node:crypto';
import {
  canonicalQuery,
  canonicalRequest,
  canonicalUri,
  encodePath,
  percentEncode,
  SIGNING_ALGORITHM,
  sdkDate,
  sha256Hex,
  signRequest,
} from '../../lib/dataarts/signer';

/** Each step of SDK-HMAC-SHA256, pinned on its own (the oracle suite checks the whole). */
describe('signer building blocks', () => {
  it('percent-encodes everything but RFC 3986 unreserved characters', () => {
    expect(percentEncode("AZaz09-_.~ !'()*/+=&中")).toBe('AZaz09-_.~%20%21%27%28%29%2A%2F%2B%3D%26%E4%B8%AD');
  });

  it('encodes a decoded path segment by segment', () => {
    expect(encodePath('/v1/p/jobs/作业 1/x*')).toBe('/v1/p/jobs/%E4%BD%9C%E4%B8%9A%201/x%2A');
  });

  it('canonical URI: each wire segment decoded then encoded again, always ending with /', () => {
    expect(canonicalUri('/v1/p/jobs/a%20b/instances/7')).toBe('/v1/p/jobs/a%20b/instances/7/');
    expect(canonicalUri('/v1/p/jobs/')).toBe('/v1/p/jobs/');
    expect(canonicalUri('/a%2Fb/c')).toBe('/a%2Fb/c/');
    expect(canonicalUri("/x'y")).toBe('/x%27y/');
    // A malformed escape is kept as it is, then encoded.
    expect(canonicalUri('/bad%zz')).toBe('/bad%25zz/');
  });

  it('canonical query: names sorted, repeated values sorted, empty values kept as k=', () => {
    expect(canonicalQuery({ b: ['2', '1'], a: '', 'c d': 'x y' })).toBe('a=&b=1&b=2&c%20d=x%20y');
    expect(canonicalQuery()).toBe('');
    // A value missing at run time (an untyped caller) is signed as empty, like the gateway reads it.
    expect(canonicalQuery({ a: undefined } as never)).toBe('a=');
    expect(canonicalQuery({})).toBe('');
  });

  it('sdkDate is YYYYMMDDTHHMMSSZ in UTC', () => {
    expect(sdkDate(Date.UTC(2026, 0, 2, 3, 4, 5, 678))).toBe('20260102T030405Z');
  });

  it('sha256Hex of UTF-8 text', () => {
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Hex('中')).toBe('a567bdaa11367f260f0708391f4d10766b5962f565d9e432f17981a3584fe1e2');
  });
});

describe('canonical request', () => {
  it('method upper-cased, headers lower-cased, trimmed and sorted, every header signed, body hashed', () => {
    const { text, signedHeaders } = canonicalRequest({
      method: 'post',
      path: '/v1/p/jobs/j/instances/7/restart',
      query: { z: '1', a: '2' },
      headers: {
        'X-Sdk-Date': '20261124T080000Z',
        Host: '  h.example.com ',
        'Content-Type': 'application/json',
      },
      body: '{"a":1}',
    });
    expect(signedHeaders).toBe('content-type;host;x-sdk-date');
    expect(text).toBe(
      [
        'POST',
        '/v1/p/jobs/j/instances/7/restart/',
        'a=2&z=1',
        'content-type:application/json\nhost:h.example.com\nx-sdk-date:20261124T080000Z\n',
        'content-type;host;x-sdk-date',
        sha256Hex('{"a":1}'),
      ].join('\n'),
    );
  });

  it('an empty or missing body hashes as the empty string; X-Sdk-Content-Sha256 replaces the hash', () => {
    const base = { method: 'GET', path: '/a', headers: { 'X-Sdk-Date': 'd' } };
    const empty = sha256Hex('');
    expect(canonicalRequest(base).text.endsWith(`\n${empty}`)).toBe(true);
    expect(canonicalRequest({ ...base, body: '' }).text.endsWith(`\n${empty}`)).toBe(true);
    const unsigned = canonicalRequest({
      ...base,
      headers: { 'X-Sdk-Date': 'd', 'X-Sdk-Content-Sha256': 'UNSIGNED-PAYLOAD' },
      body: 'ignored',
    });
    expect(unsigned.text.endsWith('\nUNSIGNED-PAYLOAD')).toBe(true);
    expect(unsigned.signedHeaders).toBe('x-sdk-content-sha256;x-sdk-date');
  });
});

describe('signRequest', () => {
  it('HMAC-SHA256 with the SK over algorithm, date and the canonical hash; the header names the AK', () => {
    const request = { method: 'GET', path: '/a', headers: { 'x-sdk-date': '20261124T080000Z', host: 'h' } };
    const toSign = `SDK-HMAC-SHA256\n20261124T080000Z\n${sha256Hex(canonicalRequest(request).text)}`;
    const signature = createHmac('sha256', 'sk').update(toSign).digest('hex');
    expect(SIGNING_ALGORITHM).toBe('SDK-HMAC-SHA256');
    expect(signRequest(request, { ak: 'ak', sk: 'sk' })).toBe(
      `SDK-HMAC-SHA256 Access=ak, SignedHeaders=host;x-sdk-date, Signature=${signature}`,
    );
  });

  it('refuses an empty X-Sdk-Date, naming the header', () => {
    expect(() =>
      signRequest({ method: 'GET', path: '/', headers: { 'X-Sdk-Date': '' } }, { ak: 'a', sk: 'b' }),
    ).toThrow(new Error('X-Sdk-Date must be set before signing'));
  });
});
