/**
 * `pnpm bench:lbs`: the LBS store and resolver against ≥ 10 million generated cells.
 * Prints `bench <name> <value> <unit>` lines (and `#` notes on how each was taken):
 *
 *   lbs_import_rows_per_s          CSV (OpenCellID layout) → sorted store file, whole import
 *   lbs_lookups_per_s_cold         in-process resolver, result cache off: every query reads the store
 *   lbs_lookup_p99_ms_cold         (single-cell queries over random known cells; page cache warm, as
 *                                  on a running server; the result cache is what is "cold")
 *   lbs_lookups_per_s_cached       in-process resolver, every query answered by the memory cache
 *   lbs_lookup_p99_ms_cached
 *   lbs_queries_per_s_cold_7cells  a device-like query (7 cells: serving + 6 neighbours), cache off:
 *   lbs_query_p99_ms_cold_7cells   7 store lookups + the estimate per query
 *   lbs_http_queries_per_s_cold    GET /loc/query over HTTP keep-alive, load generated in the same
 *   lbs_http_p99_ms_cold           process (so the figure is a floor), result cache off
 *   lbs_http_baseline_per_s        the same client against a bare node:http server answering a
 *                                  constant: what this machine's HTTP stack gives at all (context)
 *
 * Targets (issue 6): ≥ 20,000 lookups/s per process, p99 ≤ 5 ms.
 * Data: `.tmp/lbs-bench/` (gitignored), regenerated when the row count changes.
 * Options (env): LBS_BENCH_CELLS (default 10,000,000), LBS_BENCH_QUERIES (default 200,000).
 */
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { Agent, createServer, request } from 'node:http';
import { join } from 'node:path';
import pino from 'pino';
import { Registry } from 'prom-client';
import { importCsv } from '../src/import.ts';
import type { LbsQuery } from '../src/query.ts';
import { LbsResolver } from '../src/resolver.ts';
import { startLbsServer } from '../src/server.ts';
import { StoreReader } from '../src/store.ts';
import { generateCellsCsv, prng, type SyntheticCell } from '../src/synthetic.ts';

const CELLS = Number(process.env.LBS_BENCH_CELLS ?? 10_000_000);
const QUERIES = Number(process.env.LBS_BENCH_QUERIES ?? 200_000);
const DIR = join(process.cwd(), '.tmp', 'lbs-bench');

function bench(name: string, value: number, unit: string): void {
  process.stdout.write(`bench ${name} ${Number.isInteger(value) ? value : value.toFixed(3)} ${unit}\n`);
}
function note(s: string): void {
  process.stdout.write(`# ${s}\n`);
}

function p99(samples: Float64Array, n: number): number {
  const s = samples.slice(0, n).sort();
  return s[Math.min(n - 1, Math.floor(n * 0.99))]!;
}

function queryOf(c: SyntheticCell, imei: string): LbsQuery {
  return { imei, cells: [{ mcc: c.mcc, mnc: c.mnc, lac: c.lac, ci: c.ci, rssi: -70 }], wifi: [] };
}

async function inProcess(resolver: LbsResolver, samples: SyntheticCell[], label: string): Promise<void> {
  const rnd = prng(7);
  const lat = new Float64Array(QUERIES);
  const queries = samples.map((c) => queryOf(c, '860000000000001'));
  let found = 0;
  const t0 = performance.now();
  for (let i = 0; i < QUERIES; i++) {
    const q = queries[Math.floor(rnd() * queries.length)]!;
    const s = performance.now();
    const r = await resolver.resolve(q);
    lat[i] = performance.now() - s;
    if (r.code === 0) found++;
  }
  const secs = (performance.now() - t0) / 1000;
  if (found !== QUERIES) throw new Error(`${label}: ${QUERIES - found} queries not resolved`);
  bench(`lbs_lookups_per_s_${label}`, Math.round(QUERIES / secs), 'lookups/s');
  bench(`lbs_lookup_p99_ms_${label}`, p99(lat, QUERIES), 'ms');
}

/** Requests/s of the same client against a bare node:http server (the machine's HTTP ceiling). */
async function httpBaseline(): Promise<void> {
  const server = createServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end('{"code":0,"msg":"success","data":null}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  const agent = new Agent({ keepAlive: true, maxSockets: 32 });
  const n = Math.min(QUERIES, 40_000);
  let next = 0;
  const worker = async () => {
    while (next++ < n) {
      await new Promise<void>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, path: '/loc/query', agent }, (res) => {
          res.resume();
          res.on('end', () => resolve());
        });
        req.on('error', reject);
        req.end();
      });
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: 32 }, worker));
  const secs = (performance.now() - t0) / 1000;
  agent.destroy();
  server.close();
  bench('lbs_http_baseline_per_s', Math.round(n / secs), 'requests/s');
}

async function sevenCells(resolver: LbsResolver, samples: SyntheticCell[]): Promise<void> {
  const rnd = prng(11);
  const n = Math.min(QUERIES, 50_000);
  const lat = new Float64Array(n);
  const pick = () => samples[Math.floor(rnd() * samples.length)]!;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const cells = Array.from({ length: 7 }, (_, j) => {
      const c = pick();
      return { mcc: c.mcc, mnc: c.mnc, lac: c.lac, ci: c.ci, rssi: -60 - j * 5 };
    });
    const s = performance.now();
    const r = await resolver.resolve({ imei: '860000000000001', cells, wifi: [] });
    lat[i] = performance.now() - s;
    if (r.code !== 0) throw new Error('7-cell query not resolved');
  }
  const secs = (performance.now() - t0) / 1000;
  bench('lbs_queries_per_s_cold_7cells', Math.round(n / secs), 'queries/s');
  bench('lbs_query_p99_ms_cold_7cells', p99(lat, n), 'ms');
}

async function overHttp(resolver: LbsResolver, samples: SyntheticCell[]): Promise<void> {
  const server = await startLbsServer({
    resolver,
    token: 'bench',
    logger: pino({ level: 'silent' }),
    registry: new Registry(),
    host: '127.0.0.1',
    port: 0,
  });
  const agent = new Agent({ keepAlive: true, maxSockets: 32 });
  const rnd = prng(9);
  const n = Math.min(QUERIES, 40_000);
  const lat = new Float64Array(n);
  let next = 0;
  let ok = 0;
  const one = (path: string) =>
    new Promise<string>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: server.port, path, agent }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          body += d;
        });
        res.on('end', () => resolve(body));
      });
      req.on('error', reject);
      req.end();
    });
  const worker = async () => {
    while (next < n) {
      const i = next++;
      const c = samples[Math.floor(rnd() * samples.length)]!;
      const path = `/loc/query?imei=860000000000001&token=bench&lbs=${c.mcc},${c.mnc},${c.lac},${c.ci},-70`;
      const s = performance.now();
      const body = await one(path);
      lat[i] = performance.now() - s;
      if (body.startsWith('{"code":0')) ok++;
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: 32 }, worker));
  const secs = (performance.now() - t0) / 1000;
  agent.destroy();
  await server.close();
  if (ok !== n) throw new Error(`http: ${n - ok} queries not resolved`);
  bench('lbs_http_queries_per_s_cold', Math.round(n / secs), 'queries/s');
  bench('lbs_http_p99_ms_cold', p99(lat, n), 'ms');
}

async function main(): Promise<void> {
  mkdirSync(DIR, { recursive: true });
  const csv = join(DIR, 'cells.csv');
  const store = join(DIR, 'cells.lbs');
  const marker = join(DIR, 'rows.json');
  let samples: SyntheticCell[];
  const have = existsSync(marker) ? (JSON.parse(readFileSync(marker, 'utf8')) as { rows: number }) : null;
  if (have?.rows === CELLS && existsSync(csv)) {
    samples = (JSON.parse(readFileSync(marker, 'utf8')) as { samples: SyntheticCell[] }).samples;
    note(`reusing ${csv} (${CELLS.toLocaleString('en')} cells)`);
  } else {
    rmSync(marker, { force: true });
    const g0 = performance.now();
    samples = await generateCellsCsv(csv, {
      rows: CELLS,
      seed: 1,
      sampleEvery: Math.max(1, Math.floor(CELLS / 20_000)),
    });
    writeFileSync(marker, JSON.stringify({ rows: CELLS, samples }));
    note(`generated ${CELLS.toLocaleString('en')} cells in ${((performance.now() - g0) / 1000).toFixed(1)} s`);
  }
  const imp = await importCsv({ kind: 'cell', files: [csv], out: store });
  if (imp.written !== CELLS) throw new Error(`import wrote ${imp.written} of ${CELLS}`);
  note(
    `import: ${imp.rows.toLocaleString('en')} rows, ${imp.skipped} skipped, ${imp.seconds.toFixed(1)} s, store ${(statSync(store).size / 2 ** 20).toFixed(0)} MiB`,
  );
  bench('lbs_import_rows_per_s', Math.round(imp.rows / imp.seconds), 'rows/s');

  const cells = StoreReader.open(store, 'cell');
  note(
    `store: ${cells.count.toLocaleString('en')} cells; queries: ${QUERIES.toLocaleString('en')} single-cell, over ${samples.length} random known cells`,
  );
  const cold = new LbsResolver({ cells, wifi: null, memoryCacheSize: 0 });
  await inProcess(cold, samples, 'cold');
  await sevenCells(cold, samples);
  const cached = new LbsResolver({ cells, wifi: null, memoryCacheSize: samples.length * 2 });
  for (const c of samples) await cached.resolve(queryOf(c, '860000000000001'));
  await inProcess(cached, samples, 'cached');
  note('http: 32 keep-alive connections, load generator in the same process');
  await overHttp(cold, samples);
  await httpBaseline();
  cells.close();
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
