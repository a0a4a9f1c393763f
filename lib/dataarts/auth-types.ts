/**
 * The shapes that credentials, authenticators, token providers, the transport and the
 * account share. Kept apart from their implementations and importing nothing of them,
 * so that none of those modules needs another only for its types.
 */

/** Huawei credentials, given to the client; loading them is the caller's business. */
export type Credentials =
  | { kind: 'aksk'; ak: string; sk: string; securityToken?: string }
  | { kind: 'password'; user: string; password: string; domain: string; iamEndpoint: string };

/** What an authenticator needs to know about one outgoing request. */
export interface OutgoingRequest {
  method: string;
  /** `host[:port]` as it will be sent. */
  host: string;
  /** The path as sent (each segment encoded on its own). */
  path: string;
  query: Record<string, string>;
  /** Headers that will be sent (and, with AK/SK, signed). */
  headers: Record<string, string>;
  body?: string;
}

export interface Authenticator {
  /** Headers that authenticate this request; called once per attempt (fresh date). */
  authorize(request: OutgoingRequest): Promise<Record<string, string>>;
  /** After a 401: forget cached credentials. True when one retry with fresh ones makes sense. */
  invalidate(): boolean;
}

/** A cached token (the IAM token provider's): the current one, and a way to drop it. */
export interface TokenSource {
  token(): Promise<string>;
  /** Forgets the cached token. True when fetching a fresh one makes sense. */
  invalidate(): boolean;
}
