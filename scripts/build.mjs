// Bundles the command line into dist/cli.js (the package bin). The Lambda bundle is built by serverless-esbuild.
import { build } from 'esbuild';

await build({
  entryPoints: ['handlers/cli.ts'],
  outfile: 'dist/cli.js',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minify: true,
  sourcemap: true,
  banner: { js: '#!/usr/bin/env node' },
  logLevel: 'warning',
});
