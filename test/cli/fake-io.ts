import type { CliIo } from '../../lib/cli/io';

/** An in-process CliIo: captured output, a chosen clock and env, a Ctrl-C the test raises. */
export interface FakeIo extends CliIo {
  out(): string;
  err(): string;
  /** Raises Ctrl-C as the process would. */
  interrupt(signal?: string): void;
  exited: number[];
}

export function fakeIo(
  options: {
    env?: Record<string, string>;
    now?: () => number;
    tty?: boolean;
    columns?: number;
    cwd?: string;
  } = {},
): FakeIo {
  let stdout = '';
  let stderr = '';
  const handlers = new Set<(signal: string) => void>();
  const exited: number[] = [];
  const tty = options.tty ?? false;
  return {
    stdout: { write: (t: string) => (stdout += t), isTTY: tty, columns: options.columns ?? 100 },
    stderr: { write: (t: string) => (stderr += t), isTTY: tty, columns: options.columns ?? 100 },
    env: options.env ?? {},
    cwd: options.cwd ?? process.cwd(),
    now: options.now ?? Date.now,
    version: '9.9.9-test',
    user: 'tester@test-host',
    onInterrupt(handler) {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
    exitNow: (code) => {
      exited.push(code);
    },
    // The Ctrl-C grace period ends as soon as it starts: no test waits on a real timer.
    later: (run) => run(),
    out: () => stdout,
    err: () => stderr,
    interrupt: (signal = 'SIGINT') => {
      for (const handler of [...handlers]) handler(signal);
    },
    exited,
  };
}
