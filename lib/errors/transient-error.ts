import { DataArtsError, type DataArtsErrorOptions } from './dataarts-error';

export interface TransientErrorOptions extends DataArtsErrorOptions {
  /**
   * Whether the request may have reached the server: `false` only when it certainly
   * did not (connection refused, 429, 503), which is what lets a claim be released.
   */
  sent: boolean;
}

/** 429/5xx/timeout/network failure that survived the client's retries. */
export class TransientError extends DataArtsError {
  override readonly name = 'TransientError';
  readonly sent: boolean;
  constructor(options: TransientErrorOptions) {
    super(options);
    this.sent = options.sent;
  }
}
