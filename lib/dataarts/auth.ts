import type { Authenticator, OutgoingRequest, TokenSource } from './auth-types';
import { type AkSk, sdkDate, signRequest } from './signer';

/**
 * AK/SK signing. Every header sent is signed (X-Sdk-Date, Host, Content-Type,
 * X-Project-Id, workspace, X-Security-Token).
 */
export class AkSkAuthenticator implements Authenticator {
  constructor(
    private readonly credentials: AkSk & { securityToken?: string },
    private readonly projectId: string,
    private readonly now: () => number,
  ) {}

  async authorize(request: OutgoingRequest): Promise<Record<string, string>> {
    const extra: Record<string, string> = {
      'X-Sdk-Date': sdkDate(this.now()),
      'X-Project-Id': this.projectId,
    };
    if (this.credentials.securityToken) extra['X-Security-Token'] = this.credentials.securityToken;
    const signed = { ...request.headers, ...extra, Host: request.host };
    const authorization = signRequest(
      {
        method: request.method,
        path: request.path,
        query: request.query,
        headers: signed,
        ...(request.body === undefined ? {} : { body: request.body }),
      },
      this.credentials,
    );
    return { ...extra, Authorization: authorization };
  }

  /** A signature does not expire: retrying a 401 would only count towards the AK lock. */
  invalidate(): boolean {
    return false;
  }
}

/** IAM token in `X-Auth-Token`, fetched and cached by the provider. */
export class TokenAuthenticator implements Authenticator {
  constructor(private readonly tokens: TokenSource) {}

  async authorize(): Promise<Record<string, string>> {
    return { 'X-Auth-Token': await this.tokens.token() };
  }

  invalidate(): boolean {
    return this.tokens.invalidate();
  }
}
