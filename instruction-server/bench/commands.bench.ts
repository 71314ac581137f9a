/**
 * `pnpm bench:commands` (run through scripts/run-ts.mjs): bundles `run.ts` with the workspace
 * packages (`@iothub/*`, TypeScript sources) inlined and every other package imported by the path
 * esbuild resolved, then runs it with plain node so the figures do not include a development
 * loader. Prints `bench <name> <value> <unit>` lines: see run.ts for what each figure measures.
 * Arguments select modes: `pnpm bench:commands embedded redis` (default both; redis needs REDIS_URL).
 */
import { spawnSync } from 'node:child_process';
import { builtinModules } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';

const HERE = dirname(fileURLToPath(import.meta.url));
const BUILTINS = new Set(builtinModules);

const externalsByPath: Plugin = {
  name: 'externals-by-path',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (args.pluginData === 'inner' || args.path.startsWith('@iothub/')) return undefined;
      if (args.path.startsWith('node:') || BUILTINS.has(args.path)) return { path: args.path, external: true };
      const r = await b.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, pluginData: 'inner' });
      if (r.errors.length > 0) return { errors: r.errors };
      return { path: r.path, external: true };
    });
  },
};

const outfile = join(HERE, '.commands-run.bundle.mjs');
await build({
  entryPoints: [join(HERE, 'run.ts')],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  plugins: [externalsByPath],
  outfile,
  logLevel: 'warning',
});
const r = spawnSync(process.execPath, [outfile, ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(r.status ?? 1);
