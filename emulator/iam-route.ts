/**
 * The IAM token route (`POST /v3/auth/tokens`, password login) and the gateway's
 * check of each DataArts request: an IAM token it issued, or an AK/SK signature.
 */
import { randomUUID } from 'node:crypto';
import type { EmulatorOptions } from './options';
import type { Call, Responder } from './respond';
import { verifySignature } from './verify-signature';

/** Why the gateway refuses a request's credentials (401). */
export interface Refusal {
  code: string;
  msg: string;
}

export class IamAuthority {
  private readonly tokens = new Map<string, { projectId: string; expiresAt: number }>();
  private readonly accessKeys: Map<string, string>;

  constructor(
    private readonly options: Pick<EmulatorOptions, 'accessKeys' | 'users' | 'tokenTtlMs'>,
    private readonly out: Responder,
  ) {
    this.accessKeys = new Map(Object.entries(options.accessKeys ?? {}));
  }

  /** Answers a login: a project-scoped token in X-Subject-Token, or 401 for a wrong password. */
  issueToken(call: Call, now: number): void {
    const { out } = this;
    try {
      const auth = JSON.parse(call.body).auth;
      const user = auth.identity.password.user;
      const key = `${user.domain.name}/${user.name}`;
      const projectId = auth.scope.project.id;
      if (typeof projectId !== 'string' || this.options.users?.[key] !== user.password) {
        out.error(call, 401, out.gateway('0301'), 'Incorrect IAM authentication information.');
        return;
      }
      const token = `MII${randomUUID().replace(/-/g, '')}`;
      const expiresAt = now + (this.options.tokenTtlMs ?? 86_400_000);
      this.tokens.set(token, { projectId, expiresAt });
      const answer = { token: { expires_at: new Date(expiresAt).toISOString(), methods: ['password'] } };
      out.send(call, 201, answer, { 'X-Subject-Token': token });
    } catch {
      out.error(call, 400, out.gateway('0201'), 'Request body is invalid.');
    }
  }

  /** Why the request's token or signature is refused for `projectId`; undefined when it is good. */
  authenticate(call: Call, projectId: string, now: number): Refusal | undefined {
    const gateway = (n: string) => this.out.gateway(n);
    const token = call.req.headers['x-auth-token'];
    if (typeof token === 'string') {
      const known = this.tokens.get(token);
      if (!known || known.expiresAt <= now)
        return { code: gateway('0307'), msg: 'The token must be updated.' };
      if (known.projectId !== projectId)
        return { code: gateway('0301'), msg: 'Incorrect IAM authentication information.' };
      return undefined;
    }
    const verdict = verifySignature(call.req, call.body, this.accessKeys, now);
    if (!verdict.ok)
      return { code: gateway('0301'), msg: `Incorrect IAM authentication information: ${verdict.reason}.` };
    return undefined;
  }

  /** Revokes every token issued so far (they answer 401 from now on). */
  expireTokens(): void {
    for (const t of this.tokens.values()) t.expiresAt = 0;
  }
}
