import { DataArtsError } from './dataarts-error';

/** 401: bad signature, bad or expired token. Never retried blindly: an AK locks after 5 failures. */
export class AuthenticationError extends DataArtsError {
  override readonly name = 'AuthenticationError';
}
