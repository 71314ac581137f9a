#!/usr/bin/env node
// Runs a TypeScript entry point the way production runs code: bundled to one ES module by
// esbuild (dependencies left external), then executed by plain node. Used by the benchmarks,
// whose figures would otherwise include the development loader's per-call module overhead.
// Usage: node scripts/run-ts.mjs <entry.ts> [args...]
import { spawnSync } from 'node:child_process';
import { basename, dirname, join, resolve } from 'node:path';
import { build } from 'esbuild';

const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  console.error('usage: node scripts/run-ts.mjs <entry.ts> [args...]');
  process.exit(2);
}
// The bundle sits beside the entry so that its external imports resolve from the same package.
const outfile = join(dirname(resolve(entry)), `.${basename(entry, '.ts')}.bundle.mjs`);
await build({
  entryPoints: [resolve(entry)],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: 'inline',
  outfile,
  logLevel: 'warning',
});
const r = spawnSync(process.execPath, ['--enable-source-maps', outfile, ...args], { stdio: 'inherit' });
process.exit(r.status ?? 1);
