/**
 * Every `code` an error of this project can carry: reports, logs and metrics key on
 * these, so a new failure needs a new member here, and a rename is a visible change.
 */
export type DataArtsErrorCode =
  | 'AUTHENTICATION_FAILED'
  | 'NOT_AUTHORIZED'
  | 'INSTANCE_NOT_FOUND'
  | 'RESTART_REJECTED'
  | 'REQUEST_REJECTED'
  | 'GATEWAY_REFUSED'
  | 'THROTTLED'
  | 'UNAVAILABLE'
  | 'SERVER_ERROR'
  | 'TIMEOUT'
  | 'NETWORK'
  | 'ABORTED'
  | 'MALFORMED_RESPONSE'
  /** A path parameter from an answer (a job name) that cannot be one URL segment: never sent. */
  | 'UNSAFE_PATH'
  | 'RESPONSE_TOO_LARGE'
  | 'WINDOW_NOT_SHRINKING'
  | 'WINDOW_TOO_DENSE'
  | 'LIST_BUDGET_EXCEEDED'
  | 'LIST_INCOMPLETE'
  | 'PAGING_UNDETECTABLE';

export type ErrorCode = DataArtsErrorCode | 'CONFIG_INVALID' | 'LEDGER_FAILED' | 'SWEEP_FAILED';
