import type { OutStream } from '../render/out-stream';

/**
 * Everything a command takes from its process, injected so tests drive a command in
 * process (a fake TTY, a fixed clock, a signal they raise) and nothing deep in lib/
 * reads `process`.
 */
export interface CliIo {
  stdout: OutStream;
  stderr: OutStream;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  now: () => number;
  /** The package version, for --version. */
  version: string;
  /** Who runs the command, recorded by `reset` (user@host). */
  user: string;
  /** Calls `handler` on Ctrl-C or SIGTERM until the returned function is called. */
  onInterrupt(handler: (signal: string) => void): () => void;
  /** Ends the process at once (a second Ctrl-C). */
  exitNow(code: number): void;
  /** Runs `run` after `ms` without keeping the process alive (the Ctrl-C grace period); setTimeout by default. */
  later?: (run: () => void, ms: number) => void;
}
