// Bundles the library entry point (lib/index.ts) into dist/index.js and writes its type
// declarations to dist/types/ (package.json "exports"). The AWS SDK stays a dependency.
// Part of `prepare`, so `npm ci` and a git install build it. The declarations are
// emitted with --noCheck: the same declarations (union members may come in another
// order) for about a quarter less CPU; `npm run typecheck` is what checks the types.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { build } from 'esbuild';

await build({
  entryPoints: ['lib/index.ts'],
  outfile: 'dist/index.js',
  bundle: true,
  platform: 'node',
  // The oldest Node the package supports (engines); the Lambda bundle targets node22.
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  packages: 'external',
  logLevel: 'warning',
});
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', 'tsconfig.lib.json', '--noCheck'], { stdio: 'inherit' });
