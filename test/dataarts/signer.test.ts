import { createHmac } from 'node:crypto';
import url from 'node:url';
import { AKSKSigner } from '@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner';
import fc from 'fast-check';
import { apiPath } from '../../lib/dataarts/api-path';
import {
  canonicalRequest,
  canonicalUri,
  encodePath,
  sha256Hex,
  signRequest,
} from '../../lib/dataarts/signer';

describe('SDK-HMAC-SHA256 signing: the official worked examples', () => {
  it('reproduces the API reference example (canonical hash and signature)', () => {
    const request = {
      method: 'GET',
      path: '/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs',
      query: { limit: '2', marker: '13551d6b-755d-4757-b956-536f674975c0' },
      headers: {
        'Content-Type': 'application/json',
        Host: 'service.region.example.com',
        'X-Sdk-Date': '20191115T033655Z',
      },
    };
    expect(sha256Hex(canonicalRequest(request).text)).toBe(
      'b25362e603ee30f4f25e7858e8a7160fd36e803bb2dfe206278659d71a9bcd7a',
    );
    expect(
      signRequest(request, { ak: 'QTWAOYTTINDUT2QVKYUC', sk: 'MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc' }),
    ).toBe(
      'SDK-HMAC-SHA256 Access=QTWAOYTTINDUT2QVKYUC, SignedHeaders=content-type;host;x-sdk-date, Signature=7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe',
    );
  });

  it("reproduces the Go SDK's test vector (only x-sdk-date signed)", () => {
    const authorization = signRequest(
      { method: 'GET', path: '/path', query: { limit: '1' }, headers: { 'X-Sdk-Date': '20060102T150405Z' } },
      { ak: 'AccessKey', sk: 'SecretKey' },
    );
    expect(authorization).toBe(
      'SDK-HMAC-SHA256 Access=AccessKey, SignedHeaders=x-sdk-date, Signature=5a2ce64c865e0e6046321c6f3d5a77ba8413eeaf355c3166c03d58d02ac79624',
    );
  });

  it('refuses to sign without X-Sdk-Date', () => {
    expect(() => signRequest({ method: 'GET', path: '/', headers: {} }, { ak: 'a', sk: 'b' })).toThrow(
      'X-Sdk-Date',
    );
  });
});

/**
 * Huawei's own signer as an oracle. Node's legacy url.parse (which the oracle uses)
 * escapes spaces, quotes and a few other characters in the path before the oracle
 * percent-encodes them again; the gateway decodes the path before encoding each
 * segment, so for the comparison we hand the oracle the decoded path.
 */
function oracleSign(
  method: string,
  path: string,
  query: Record<string, string | string[]>,
  headers: Record<string, string>,
  body: unknown,
): string {
  const original = url.parse;
  (url as { parse: unknown }).parse = (input: string, parseQuery?: boolean) => {
    const parsed = original(input, parseQuery as true);
    parsed.pathname = path;
    return parsed;
  };
  try {
    const signed = AKSKSigner.sign(
      {
        method,
        endpoint: `https://dayu-dlf.example.com${path}`,
        queryParams: query,
        headers,
        ...(body === undefined ? {} : { data: body }),
      } as never,
      { getAk: () => 'OracleAK', getSk: () => 'OracleSK/with+chars=' } as never,
    ) as Record<string, string>;
    return signed.Authorization as string;
  } finally {
    (url as { parse: unknown }).parse = original;
  }
}

const segment = fc.oneof(
  fc.constantFrom(
    '作业_日报',
    'job batch',
    "o'neil(1)*!",
    'a+b=c;d@e,f',
    'ümlaut~ok',
    'emoji😀',
    '%41',
    'x-y_z.w~v',
    '$&:',
  ),
  fc.string({ minLength: 1, maxLength: 8, unit: 'grapheme' }).filter((s) => !s.includes('/')),
);
const queryValue = fc.oneof(
  fc.constant(''),
  fc.constantFrom('a b', '中文', '1+1=2', '&?#', 'ü'),
  fc.string({ maxLength: 6 }),
);

describe("our signer agrees with Huawei's AKSKSigner", () => {
  it('for 300 generated requests (methods, odd paths, repeated/empty/Unicode query, bodies)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('GET', 'POST', 'PUT', 'DELETE'),
        fc.array(segment, { minLength: 1, maxLength: 4 }),
        fc.dictionary(
          fc.constantFrom('limit', 'offset', 'jobName', 'status', 'a b', '名'),
          fc.oneof(queryValue, fc.array(queryValue, { minLength: 2, maxLength: 3 })),
          { maxKeys: 4 },
        ),
        fc.option(
          fc.record({
            retry_location: fc.constantFrom('error_node', 'first_node'),
            note: fc.string({ maxLength: 10 }),
          }),
          { nil: undefined },
        ),
        fc.boolean(),
        (method, segments, query, body, withWorkspace) => {
          const path = `/v1/p/${segments.join('/')}`;
          const headers: Record<string, string> = {
            'X-Sdk-Date': '20261124T080000Z',
            host: 'dayu-dlf.example.com',
            'content-type': 'application/json',
            'x-project-id': 'p',
          };
          if (withWorkspace) headers.workspace = 'ws-123';
          const bodyText = body === undefined ? undefined : JSON.stringify(body);
          // Ours signs the path as sent (each segment encoded); the oracle takes it decoded.
          const ours = signRequest(
            {
              method,
              path: encodePath(path),
              query,
              headers,
              ...(bodyText === undefined ? {} : { body: bodyText }),
            },
            { ak: 'OracleAK', sk: 'OracleSK/with+chars=' },
          );
          expect(ours).toBe(oracleSign(method, path, query, headers, body));
        },
      ),
      { numRuns: 300, seed: 20261124 },
    );
  });

  it('has teeth: a signer that keeps the query in insertion order disagrees with the oracle', () => {
    const headers = { 'X-Sdk-Date': '20261124T080000Z', host: 'h' };
    const query = { offset: '0', limit: '10' };
    const oracle = oracleSign('GET', '/a', query, headers, undefined);
    const credentials = { ak: 'OracleAK', sk: 'OracleSK/with+chars=' };
    expect(signRequest({ method: 'GET', path: '/a', query, headers }, credentials)).toBe(oracle);
    const { text } = canonicalRequest({ method: 'GET', path: '/a', query, headers });
    const unsorted = text.replace('limit=10&offset=0', 'offset=0&limit=10');
    expect(unsorted).not.toBe(text);
    const toSign = `SDK-HMAC-SHA256\n20261124T080000Z\n${sha256Hex(unsorted)}`;
    const brokenSignature = createHmac('sha256', credentials.sk).update(toSign).digest('hex');
    expect(oracle).not.toContain(brokenSignature);
  });
});

describe('path parameters are single segments', () => {
  it('a job name holding "/" and ".." stays one segment, as sent and as signed', () => {
    const path = apiPath('v1', 'p', 'jobs', 'x/../../jobs/victim', 'instances', '7', 'restart');
    expect(path).toBe('/v1/p/jobs/x%2F..%2F..%2Fjobs%2Fvictim/instances/7/restart');
    // The URL parser keeps it: no dot segment to remove.
    expect(new URL(`https://h${path}`).pathname).toBe(path);
    // The gateway decodes each segment and encodes it again: the same canonical URI.
    expect(canonicalUri(path)).toBe(`${path}/`);
  });

  it.each(['.', '..', '', 'a\nb', 'tab\there', 'nul\u0000', 'del\u007f', 'c1\u0085'])(
    'refuses %j as a path parameter before anything is sent',
    (name) => {
      expect(() => apiPath('v1', 'p', 'jobs', name, 'instances', '7')).toThrow(
        expect.objectContaining({ name: 'MalformedResponseError', code: 'UNSAFE_PATH' }),
      );
    },
  );
});
