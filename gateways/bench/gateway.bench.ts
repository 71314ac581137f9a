/**
 * pnpm bench:gateway — the gateway end to end, on this machine, with the simulator in separate
 * processes. Prints `bench <name> <value> <unit>` lines (and `#` notes on how each was taken):
 *
 *   gateway_idle_rss_per_conn_1worker    RSS growth / connection, one gateway process, ≥ 15,000 idle
 *                                        authenticated JT/T 808 devices (clients over 127.0.0.1–8)
 *   gateway_idle_rss_per_conn_6workers   the same over 6 workers (GATEWAY_WORKERS=6), ≥ 90,000
 *                                        connections: sum of the workers' RSS growth / connections
 *   gateway_locations_per_s_memory       acknowledged 0x0200 locations/s, durable ack, in-memory bus
 *   gateway_locations_per_s_kafka        the same into real Kafka (KAFKA_BROKERS from
 *                                        `scripts/services.sh env`; skipped with a note when down)
 *   gateway_ack_latency_p50_ms / _p99_ms device-observed ack latency at 10,000 locations/s
 *
 * Targets (issue #3, 2-core machine, simulator and broker on the same box): ≤ 8 KB RSS per idle
 * connection, ≥ 50,000 locations/s into Kafka with durable acknowledgement, p99 ≤ 20 ms at 10,000/s.
 *
 * RSS is measured after a warm-up fleet (JIT, buffers, pools) is connected, so the delta is the cost
 * of the additional connections. Each simulator process stays under the 20,000 open-files limit.
 * Phases can be chosen by name: `pnpm bench:gateway idle1 idle6 memory kafka latency latency-memory`.
 * Everything stops by itself; the whole run takes about 4 minutes.
 */
import { spawnSync } from 'node:child_process';
import { connect } from 'node:net';
import {
  bundle,
  type GatewayProcess,
  killAll,
  poll,
  ROOT,
  rssBytes,
  type SimProcess,
  type SimSummary,
  sleep,
  startGateway,
  startSim,
} from './procs.ts';

const SOURCE_ADDRESSES = '127.0.0.1-127.0.0.8';
/** Progress lines before this many seconds of a throughput run are the ramp, not the steady state. */
const STEADY_FROM_S = 4;

function line(name: string, value: number, unit: string): void {
  process.stdout.write(`bench ${name} ${Number.isInteger(value) ? value : value.toFixed(2)} ${unit}\n`);
}
function note(text: string): void {
  process.stdout.write(`# ${text}\n`);
}

const selected = new Set(process.argv.slice(2).filter((a) => a !== '--'));
const runs = (phase: string) => selected.size === 0 || selected.has(phase);

let gwBundle = '';
let simBundle = '';

function simArgs(port: number, devices: number, firstIndex: number, extra: readonly string[]): string[] {
  return [
    '--protocol',
    'jt808-2013',
    '--port',
    String(port),
    '--devices',
    String(devices),
    '--first-index',
    String(firstIndex),
    '--source-addresses',
    SOURCE_ADDRESSES,
    ...extra,
  ];
}

const sumRss = (pids: readonly number[]) => pids.reduce((a, p) => a + rssBytes(p), 0);

/** Idle connections: RSS growth per connection after a warm-up fleet. */
async function idle(
  name: string,
  workers: number,
  warmDevices: number,
  devices: number,
  clients: number,
  rampS: number,
): Promise<void> {
  const gw = await startGateway(gwBundle, { workers });
  const sims: SimProcess[] = [];
  // Authenticated, then silent (one heartbeat an hour); the run ends them long before --duration.
  const idleArgs = ['--rate', '0', '--heartbeat', '3600', '--duration', '900'];
  try {
    sims.push(startSim(simBundle, simArgs(gw.port, warmDevices, 0, [...idleArgs, '--ramp', '1'])));
    const warm = await poll(async () => ((await gw.connections()) >= warmDevices ? true : undefined), 60_000);
    if (!warm) throw new Error(`${name}: warm-up fleet did not connect`);
    await sleep(3000);
    const baseConns = await gw.connections();
    const baseRss = sumRss(gw.workerPids());
    const baseHeap = await gw.metric('nodejs_heap_size_used_bytes');
    // One simulator process at a time, each ramping over `rampS`: on a loaded 2-core box a faster
    // login storm makes logins time out and devices retry, which only slows everything down.
    const per = Math.ceil(devices / clients);
    const started = Date.now();
    // The next process starts once 90 % of this one's devices are up (stragglers retry meanwhile).
    const upTo = async (target: number, deadline: number) => {
      let best = 0;
      let bestAt = Date.now();
      await poll(async () => {
        const c = await gw.connections();
        if (c > best) {
          best = c;
          bestAt = Date.now();
        }
        if (c >= target) return true;
        // No progress for 15 s: a limit of the machine.
        if (Date.now() - bestAt > 15_000 || Date.now() > deadline) return false;
        return undefined;
      }, 200_000);
    };
    const deadline = started + 150_000;
    for (let i = 0; i < clients && Date.now() < deadline; i++) {
      const n = Math.min(per, devices - i * per);
      const args = simArgs(gw.port, n, warmDevices + i * per, [...idleArgs, '--ramp', String(rampS)]);
      sims.push(startSim(simBundle, args));
      await upTo(baseConns + i * per + Math.floor(0.9 * n), deadline);
    }
    await upTo(baseConns + devices, deadline);
    await sleep(5000);
    const conns = (await gw.connections()) - baseConns;
    const grown = sumRss(gw.workerPids()) - baseRss;
    const heap = (await gw.metric('nodejs_heap_size_used_bytes')) - baseHeap;
    line(name, Math.round(grown / Math.max(1, conns)), 'bytes/conn');
    note(
      `${name}: ${conns} idle connections added to ${baseConns} warm ones on ${workers} worker(s) from ${clients} ` +
        `simulator processes; RSS +${(grown / 2 ** 20).toFixed(1)} MiB (${(grown / Math.max(1, conns) / 1024).toFixed(2)} KiB/conn, of which V8 heap in use ` +
        `${(heap / Math.max(1, conns) / 1024).toFixed(2)} KiB/conn)`,
    );
    if (conns < devices) note(`${name}: only ${conns} of ${devices} connections came up in time`);
    const summaries = await Promise.all(sims.map((s) => s.stop()));
    note(`${name}: simulator ${errorsOf(summaries)}`);
  } finally {
    await Promise.all(sims.map((s) => s.stop()));
    await gw.stop();
  }
}

interface LoadResult {
  perSecond: number;
  summaries: (SimSummary | null)[];
}

/** Locations at a rate from `clients` simulator processes; the steady-state acknowledged rate. */
async function load(
  gw: GatewayProcess,
  devices: number,
  rate: number,
  clients: number,
  durationS: number,
  firstIndex: number,
): Promise<LoadResult> {
  const per = Math.ceil(devices / clients);
  const sims: SimProcess[] = [];
  for (let i = 0; i < clients; i++) {
    const args = simArgs(gw.port, per, firstIndex + i * per, [
      '--rate',
      String(rate),
      '--heartbeat',
      '0',
      '--duration',
      String(durationS),
      '--ramp',
      '1',
    ]);
    sims.push(startSim(simBundle, args));
  }
  const summaries = await Promise.all(sims.map((s) => s.done(durationS * 1000 + 30_000)));
  let perSecond = 0;
  for (const s of sims) {
    const from = s.progress.find((p) => p.elapsedS >= STEADY_FROM_S);
    const to = s.progress[s.progress.length - 1];
    if (from && to && to.at > from.at) perSecond += ((to.acked - from.acked) * 1000) / (to.at - from.at);
  }
  return { perSecond, summaries };
}

function errorsOf(summaries: readonly (SimSummary | null)[]): string {
  const all: Record<string, number> = {};
  for (const s of summaries) for (const [k, v] of Object.entries(s?.errors ?? {})) all[k] = (all[k] ?? 0) + v;
  const keys = Object.keys(all);
  return keys.length === 0 ? 'no errors' : keys.map((k) => `${k}=${all[k]}`).join(' ');
}

function kafkaBrokers(): string | null {
  const r = spawnSync('bash', ['scripts/services.sh', 'env'], { cwd: ROOT, encoding: 'utf8', timeout: 10_000 });
  const m = /^KAFKA_BROKERS=(\S+)$/m.exec(r.stdout ?? '');
  return m?.[1] ?? null;
}

/** Fleet mode wants an API token shared by the instruction servers; the gateway only checks it is set. */
const kafkaEnv = (brokers: string) => ({ KAFKA_BROKERS: brokers, API_TOKEN: 'gateway-bench-token-0123456789abcdef' });

function reachable(hostPort: string): Promise<boolean> {
  const i = hostPort.lastIndexOf(':');
  const host = hostPort.slice(0, i);
  const port = Number(hostPort.slice(i + 1));
  return new Promise((resolve) => {
    const s = connect({ host, port });
    const t = setTimeout(() => {
      s.destroy();
      resolve(false);
    }, 2000);
    s.once('connect', () => {
      clearTimeout(t);
      s.end();
      resolve(true);
    });
    s.once('error', () => {
      clearTimeout(t);
      resolve(false);
    });
  });
}

/** Throughput configuration (tuned on the 2-core box: see the notes it prints). */
const THROUGHPUT = { workers: 2, devices: 600, rate: 50, clients: 2, durationS: 12 };
// Override for tuning runs: GATEWAY_BENCH_LOAD=workers,devices,rate,clients
{
  const o = (process.env.GATEWAY_BENCH_LOAD ?? '').split(',').map(Number);
  if (o.length === 4 && o.every((n) => Number.isInteger(n) && n > 0)) {
    [THROUGHPUT.workers, THROUGHPUT.devices, THROUGHPUT.rate, THROUGHPUT.clients] = o as [
      number,
      number,
      number,
      number,
    ];
  }
}

/**
 * The per-connection rate limit counts frames by when the gateway reads them: a gateway that falls
 * behind reads a backlog in one go and would close devices that never exceeded their rate.
 */
const LOAD_ENV = { MAX_MESSAGES_PER_SECOND: '0' };

async function throughput(name: string, env: Record<string, string>): Promise<void> {
  const t = THROUGHPUT;
  const gw = await startGateway(gwBundle, { workers: t.workers, env: { ...LOAD_ENV, ...env } });
  try {
    const r = await load(gw, t.devices, t.rate, t.clients, t.durationS, 0);
    line(name, Math.round(r.perSecond), 'locations/s');
    note(
      `${name}: ${t.workers} gateway workers, ${t.devices} devices offering ${t.devices * t.rate}/s from ${t.clients} ` +
        `simulator processes, steady state after ${STEADY_FROM_S} s of ${t.durationS} s; ${errorsOf(r.summaries)}`,
    );
  } finally {
    await gw.stop();
  }
}

async function latency(env: Record<string, string>, bus: string, asNote = false): Promise<void> {
  const gw = await startGateway(gwBundle, { workers: THROUGHPUT.workers, env: { ...LOAD_ENV, ...env } });
  try {
    // 200 devices × 50/s = 10,000 locations/s.
    const r = await load(gw, 200, 50, 2, 12, 0);
    let count = 0;
    let p50 = 0;
    let p99 = 0;
    for (const s of r.summaries) {
      const n = s?.latency.count ?? 0;
      count += n;
      p50 = Math.max(p50, s?.latency.p50 ?? 0);
      p99 = Math.max(p99, s?.latency.p99 ?? 0);
    }
    if (asNote)
      note(`ack latency into the ${bus}: p50 ${p50.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms (for comparison)`);
    else {
      line('gateway_ack_latency_p50_ms', p50, 'ms');
      line('gateway_ack_latency_p99_ms', p99, 'ms');
    }
    note(
      `ack latency: ${bus}, ${Math.round(r.perSecond)} acknowledged/s offered 10,000/s, ${count} samples ` +
        `(worst of the ${r.summaries.length} simulator processes); ${errorsOf(r.summaries)}`,
    );
  } finally {
    await gw.stop();
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  gwBundle = await bundle('bin/iothub.ts', 'iothub');
  simBundle = await bundle('simulator/src/cli.ts', 'sim');
  if (runs('idle1')) await idle('gateway_idle_rss_per_conn_1worker', 1, 500, 15_000, 2, 5);
  if (runs('idle6')) await idle('gateway_idle_rss_per_conn_6workers', 6, 1200, 90_000, 6, 10);
  if (runs('memory')) await throughput('gateway_locations_per_s_memory', {});
  const brokers = runs('kafka') || runs('latency') ? kafkaBrokers() : null;
  const kafkaUp = brokers !== null && (await reachable(brokers.split(',')[0] ?? ''));
  if (runs('kafka')) {
    if (kafkaUp && brokers) await throughput('gateway_locations_per_s_kafka', kafkaEnv(brokers));
    else note(`gateway_locations_per_s_kafka skipped: Kafka not reachable (${brokers ?? 'no KAFKA_BROKERS'})`);
  }
  if (runs('latency')) {
    if (kafkaUp && brokers) await latency(kafkaEnv(brokers), `Kafka ${brokers}`);
    else await latency({}, 'in-memory bus (Kafka not reachable)');
  }
  if (runs('latency-memory') && kafkaUp) await latency({}, 'in-memory bus', true);
  note(`total ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

const guard = setTimeout(() => {
  process.stderr.write('bench: over 9 minutes, giving up\n');
  killAll();
  process.exit(1);
}, 9 * 60_000);
guard.unref();
main().then(
  () => {
    killAll();
    process.exit(0);
  },
  (err: unknown) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    killAll();
    process.exit(1);
  },
);
