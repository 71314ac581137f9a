/**
 * `pnpm bench:dispatch` (run through scripts/run-ts.mjs): bundles `run.ts` with the workspace
 * packages (`@iothub/*`, TypeScript sources) inlined and every other package imported by the path
 * esbuild resolved (pnpm keeps each package's dependencies beside it), then runs it with plain node
 * so the figures do not include a development loader. Prints `bench <name> <value> <unit>` lines:
 * see run.ts for what each figure measures.
 */
import { spawnSync } from 'node:child_process';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundle } from '../../gateways/bench/procs.ts';

const outfile = await bundle('dispatch/bench/run.ts', 'dispatch-run', dirname(fileURLToPath(import.meta.url)));
const r = spawnSync(process.execPath, [outfile, ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(r.status ?? 1);
