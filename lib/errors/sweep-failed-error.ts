import { AutoretryError } from './autoretry-error';

/** The sweep could not run at all, so the invocation fails and the alarm fires. */
export class SweepFailedError extends AutoretryError<'SWEEP_FAILED'> {
  override readonly name = 'SweepFailedError';
  constructor(options: { message: string; cause?: unknown }) {
    super({ ...options, code: 'SWEEP_FAILED' });
  }
}
