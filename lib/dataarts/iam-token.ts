import { AuthenticationError, AuthorizationError, MalformedResponseError, TransientError } from '../errors';
import type { TokenSource } from './auth-types';
import { errorFromResponse } from './error-body';
import { Transport, type TransportOptions } from './transport';

export interface IamUser {
  user: string;
  password: string;
  domain: string;
  iamEndpoint: string;
}

/** Refresh this long before `expires_at`, so a token never expires mid-sweep. */
export const TOKEN_REFRESH_MARGIN_MS = 10 * 60_000;

/**
 * Fetches an IAM user token scoped to one project (`POST /v3/auth/tokens`) and caches
 * it until shortly before it expires. Concurrent callers share one request. A refused
 * login is final: IAM locks a user after 5 failed logins, so it is never tried again.
 * The token and password are never logged or put in an error.
 */
export class IamTokenProvider implements TokenSource {
  private cached: { token: string; refreshAt: number } | undefined;
  private pending: Promise<string> | undefined;
  private refused: AuthenticationError | AuthorizationError | undefined;
  private readonly transport: Transport;
  /** How many tokens were requested (for tests and reports). */
  fetched = 0;

  constructor(
    private readonly user: IamUser,
    private readonly projectId: string,
    private readonly now: () => number,
    options?: Partial<TransportOptions>,
  ) {
    this.transport = new Transport({ baseUrl: user.iamEndpoint, ...(options ? { options } : {}) });
  }

  async token(): Promise<string> {
    if (this.refused) throw this.refused;
    if (this.cached && this.now() < this.cached.refreshAt) return this.cached.token;
    this.pending ??= this.fetch()
      .catch((error: unknown) => {
        if (error instanceof AuthenticationError || error instanceof AuthorizationError) this.refused = error;
        throw error;
      })
      .finally(() => {
        this.pending = undefined;
      });
    return this.pending;
  }

  invalidate(): boolean {
    this.cached = undefined;
    return true;
  }

  private async fetch(): Promise<string> {
    const body = {
      auth: {
        identity: {
          methods: ['password'],
          password: {
            user: { name: this.user.user, password: this.user.password, domain: { name: this.user.domain } },
          },
        },
        scope: { project: { id: this.projectId } },
      },
    };
    const context = { method: 'POST', path: '/v3/auth/tokens' };
    const response = await this.transport.send({
      method: 'POST',
      path: context.path,
      headers: { 'Content-Type': 'application/json;charset=utf8' },
      body: JSON.stringify(body),
      // Asking for a token twice is harmless, so it is retried like a read.
      retryMode: 'idempotent',
    });
    this.fetched++;
    if (response.status >= 500) {
      // An IAM outage says nothing about the password: not a refused login.
      const message = `${context.method} ${context.path} answered ${response.status}`;
      throw new TransientError({
        message,
        code: 'SERVER_ERROR',
        request: context,
        sent: true,
        status: response.status,
      });
    }
    if (response.status !== 201 && response.status !== 200) {
      throw errorFromResponse(AuthenticationError, 'AUTHENTICATION_FAILED', response, context);
    }
    const token = response.headers.get('x-subject-token');
    if (!token) {
      throw new MalformedResponseError({
        message: 'IAM answered without X-Subject-Token',
        code: 'MALFORMED_RESPONSE',
        request: context,
      });
    }
    const expiresAt = readExpiry(response.text);
    const lifetime = expiresAt === undefined ? 3_600_000 : expiresAt - this.now();
    this.cached = { token, refreshAt: this.now() + Math.max(0, lifetime - TOKEN_REFRESH_MARGIN_MS) };
    return token;
  }
}

function readExpiry(text: string): number | undefined {
  try {
    const parsed = JSON.parse(text) as { token?: { expires_at?: unknown } };
    const value = parsed.token?.expires_at;
    const time = typeof value === 'string' ? Date.parse(value) : Number.NaN;
    return Number.isNaN(time) ? undefined : time;
  } catch {
    return undefined;
  }
}
