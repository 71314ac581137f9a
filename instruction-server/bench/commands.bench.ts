/**
 * `pnpm bench:commands` (run through scripts/run-ts.mjs): bundles `run.ts` with the workspace
 * packages (`@iothub/*`, TypeScript sources) inlined and every other package imported by the path
 * esbuild resolved, then runs it with plain node so the figures do not include a development
 * loader. Prints `bench <name> <value> <unit>` lines: see run.ts for what each figure measures.
 * Arguments select modes: `pnpm bench:commands embedded redis` (default both; redis needs REDIS_URL).
 */
import { spawnSync } from 'node:child_process';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundle } from '../../gateways/bench/procs.ts';

const outfile = await bundle(
  'instruction-server/bench/run.ts',
  'commands-run',
  dirname(fileURLToPath(import.meta.url)),
);
const r = spawnSync(process.execPath, [outfile, ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(r.status ?? 1);
