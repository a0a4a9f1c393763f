import { AutoretryError } from './autoretry-error';

/** The ledger (DynamoDB or file) failed; the sweep stops restarting for safety. */
export class LedgerError extends AutoretryError<'LEDGER_FAILED'> {
  override readonly name = 'LedgerError';
  constructor(options: { message: string; cause?: unknown }) {
    super({ ...options, code: 'LEDGER_FAILED' });
  }
}
