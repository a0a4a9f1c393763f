import { AutoretryError } from './autoretry-error';
import type { DataArtsErrorCode } from './code';

export interface RequestContext {
  method: string;
  path: string;
}

export interface DataArtsErrorOptions {
  message: string;
  code: DataArtsErrorCode;
  request: RequestContext;
  /** The HTTP status, when the server answered. */
  status?: number | undefined;
  /** The service's own code from the answer's body (`DLF.0137`, `APIGW.0101`). */
  dlfCode?: string | undefined;
  /** The answer's `X-Request-Id`: what Huawei support asks for. */
  requestId?: string | undefined;
  cause?: unknown;
}

/** Base class of every failure talking to DataArts Factory or IAM. */
export class DataArtsError extends AutoretryError<DataArtsErrorCode> {
  override readonly name: string = 'DataArtsError';
  readonly request: RequestContext;
  readonly status: number | undefined;
  readonly dlfCode: string | undefined;
  readonly requestId: string | undefined;
  constructor(options: DataArtsErrorOptions) {
    super(options);
    this.request = options.request;
    this.status = options.status;
    this.dlfCode = options.dlfCode;
    this.requestId = options.requestId;
  }
}
