/**
 * Runs in every test file: whatever a test writes to stdout, stderr or the console is
 * scanned for the secrets the tests use; a hit fails the test.
 */
import { KNOWN_SECRETS } from './secrets';

let captured: string[] = [];
const originalStdout = process.stdout.write.bind(process.stdout);
const originalStderr = process.stderr.write.bind(process.stderr);

function capture(original: typeof process.stdout.write) {
  return ((chunk: unknown, ...rest: unknown[]) => {
    captured.push(String(chunk));
    return (original as (...args: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof process.stdout.write;
}

beforeEach(() => {
  captured = [];
  process.stdout.write = capture(originalStdout);
  process.stderr.write = capture(originalStderr);
  for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    jest.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      captured.push(args.map(String).join(' '));
    });
  }
});

afterEach(() => {
  process.stdout.write = originalStdout;
  process.stderr.write = originalStderr;
  jest.restoreAllMocks();
  const text = captured.join('\n');
  const leaked = KNOWN_SECRETS.filter((secret) => text.includes(secret));
  if (leaked.length > 0)
    throw new Error(`a secret appeared in the test's output (${leaked.length} value(s))`);
});
