import type { ErrorCode } from './code';

export interface AutoretryErrorOptions<C extends ErrorCode = ErrorCode> {
  message: string;
  code: C;
  cause?: unknown;
}

/**
 * The base of every error this project throws on purpose: a literal `name`, a stable
 * `code` from {@link ErrorCode} and the original error as `cause`. Anything else that
 * reaches the top is a bug and is reported as such.
 */
export abstract class AutoretryError<C extends ErrorCode = ErrorCode> extends Error {
  abstract override readonly name: string;
  readonly code: C;
  constructor({ message, code, cause }: AutoretryErrorOptions<C>) {
    super(message, cause === undefined ? undefined : { cause });
    this.code = code;
  }
}
