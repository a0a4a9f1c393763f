import { SK } from './targets';

/** Secret values the tests use; test/support/scan-secrets.ts fails any test whose output shows one. */
export const WRONG_SK = 'wrong-secret-key-value-9fX2';
export const IAM_PASSWORD = 'iam-password-Sup3rSecret!';
export const WEBHOOK_TOKEN = 'hook-token-7Yb3';
export const SIGNING_SECRET = 'SEChook-signing-secret';

export const KNOWN_SECRETS = [
  SK,
  WRONG_SK,
  IAM_PASSWORD,
  WEBHOOK_TOKEN,
  SIGNING_SECRET,
  'emulator-secret-key',
  'local-stack-secret-key',
  'bench-secret-key',
];
