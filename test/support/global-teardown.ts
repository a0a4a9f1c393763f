/** Stops the shared dynalite. */
export default async function globalTeardown(): Promise<void> {
  const server = (globalThis as { __DYNALITE__?: { close(cb: () => void): void } }).__DYNALITE__;
  if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
}
