// Bundles the library entry point (lib/index.ts) into dist/index.js and writes its type
// declarations to dist/types/ (package.json "exports"). The AWS SDK stays a dependency.
import { execFileSync } from 'node:child_process';
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
execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.lib.json'], {
  stdio: 'inherit',
});
