/**
 * The body of `pnpm bench:commands` (commands.bench.ts bundles and runs it): command round trip API → device → API, on this machine. Prints
 * `bench <name> <value> <unit>` lines (and `#` notes):
 *
 *   commands_rtt_p50_ms_embedded / _p99_ms_embedded   in-memory route table and control channel
 *   commands_rtt_p50_ms_redis / _p99_ms_redis         Redis route table, control channel (pub/sub),
 *                                                     device slots (REDIS_URL; skipped with a note
 *                                                     when unset: `export $(bash scripts/services.sh env)`)
 *   commands_per_s_<mode>                             commands answered per second during the run
 *
 * Set-up per mode: this process runs a Jimi gateway and the instruction API (HTTP on 127.0.0.1);
 * 1,000 simulated Jimi devices run in a child process (the simulator, bundled); the load generator
 * is another child process sending `sendInstruct` (proNo 128, synchronous) over keep-alive HTTP at
 * 1,000 commands/s, round robin over the devices (one command per device per second, so none is
 * busy), and timing each request from send to response. 3 s warm-up, then 10 s measured.
 * Targets (issue #4): p99 ≤ 10 ms embedded, ≤ 20 ms with Redis.
 *
 * Modes can be chosen by name: `pnpm bench:commands embedded redis`; `BENCH_RATE=500` changes the
 * rate. Notes also give the gateway + API process's CPU per command, event-loop utilization and
 * delay, and the machine's load average: on a shared 2-core machine the tail is dominated by CPU
 * contention, and these say whether it was.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import {
  type ControlChannel,
  loadConfig,
  MemoryBus,
  MemoryControlChannel,
  MemoryRouteTable,
  RedisControlChannel,
  RedisRouteTable,
  type RouteTable,
} from '@iothub/core';
import { startGatewayApp } from '@iothub/gateways';
import { type DeviceLock, MemoryDeviceLock, RedisDeviceLock } from '@iothub/router';
import { imeiFor } from '@iothub/simulator';
import { bundle, killAll, startSim } from '../../gateways/bench/procs.ts';
import { startInstructionApp } from '../src/app.ts';
import { type CommandStore, MemoryCommandStore, RedisCommandStore } from '../src/store.ts';

const DEVICES = 1000;
const RATE = Number(process.env.BENCH_RATE ?? 1000);
const WARMUP_S = 3;
const MEASURE_S = 10;
const TOKEN = 'bench-token';

function line(name: string, value: number, unit: string): void {
  process.stdout.write(`bench ${name} ${Number.isInteger(value) ? value : value.toFixed(2)} ${unit}\n`);
}
function note(text: string): void {
  process.stdout.write(`# ${text}\n`);
}

interface LoadResult {
  count: number;
  p50: number;
  p99: number;
  max: number;
  perSecond: number;
  codes: Record<string, number>;
}

// ---------------------------------------------------------------------------------------------
// Load generator (child process): `load <port> <imeiBase> <devices> <rate> <warmupS> <measureS>`

async function load(argv: string[]): Promise<void> {
  const [port, imeiBase, devices, rate, warmupS, measureS] = [
    Number(argv[0]),
    String(argv[1]),
    Number(argv[2]),
    Number(argv[3]),
    Number(argv[4]),
    Number(argv[5]),
  ];
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const imeis = Array.from({ length: devices }, (_, i) => imeiFor(imeiBase, i));
  const samples: number[] = [];
  const codes: Record<string, number> = {};
  let next = 0;
  let inFlight = 0;
  const send = (measured: boolean) => {
    const imei = imeis[next++ % imeis.length] as string;
    const body = `token=${TOKEN}&imei=${imei}&cmdContent=STATUS%23&proNo=128&serverFlagId=1&platform=web&requestId=1&cmdType=normallns&timeOut=10`;
    const t0 = performance.now();
    inFlight++;
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path: '/api/device/sendInstruct',
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          inFlight--;
          const ms = performance.now() - t0;
          let code = `http${res.statusCode}`;
          try {
            code = (JSON.parse(Buffer.concat(chunks).toString()) as { data?: { _code?: string } }).data?._code ?? code;
          } catch {}
          if (measured) {
            samples.push(ms);
            codes[code] = (codes[code] ?? 0) + 1;
          }
        });
      },
    );
    req.on('error', () => {
      inFlight--;
      if (measured) codes.error = (codes.error ?? 0) + 1;
    });
    req.end(body);
  };
  // Open-loop schedule: the number due by now is sent each millisecond tick (no coordinated omission).
  const start = performance.now();
  const total = (warmupS + measureS) * rate;
  let sent = 0;
  await new Promise<void>((resolve) => {
    const tick = setInterval(() => {
      const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * rate));
      while (sent < due) {
        send(sent >= warmupS * rate);
        sent++;
      }
      if (sent >= total) {
        clearInterval(tick);
        resolve();
      }
    }, 1);
  });
  const measuredFrom = start + warmupS * 1000;
  const deadline = performance.now() + 15_000;
  while (inFlight > 0 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  const elapsed = (performance.now() - measuredFrom) / 1000;
  samples.sort((a, b) => a - b);
  const q = (p: number) => samples[Math.min(samples.length - 1, Math.floor(p * samples.length))] ?? Number.NaN;
  const result: LoadResult = {
    count: samples.length,
    p50: q(0.5),
    p99: q(0.99),
    max: samples[samples.length - 1] ?? Number.NaN,
    perSecond: (codes['100'] ?? 0) / Math.max(elapsed, measureS),
    codes,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  agent.destroy();
}

function runLoad(args: string[]): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [process.argv[1] as string, 'load', ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      out += s;
    });
    child.once('exit', () => {
      const l = out.split('\n').find((x) => x.startsWith('{'));
      if (l) resolve(JSON.parse(l) as LoadResult);
      else reject(new Error(`load generator printed no result: ${out}`));
    });
  });
}

// ---------------------------------------------------------------------------------------------

async function mode(name: 'embedded' | 'redis', simBundle: string): Promise<void> {
  const redisUrl = process.env.REDIS_URL?.trim();
  if (name === 'redis' && !redisUrl) {
    note('commands redis: skipped, REDIS_URL is not set (export $(bash scripts/services.sh env))');
    return;
  }
  const keyPrefix = `bench-${randomUUID().slice(0, 8)}:`;
  let routes: RouteTable;
  let control: ControlChannel;
  let lock: DeviceLock;
  let store: CommandStore;
  if (name === 'redis' && redisUrl) {
    routes = new RedisRouteTable({ redis: redisUrl, keyPrefix });
    control = new RedisControlChannel({ redis: redisUrl, keyPrefix });
    lock = new RedisDeviceLock({ redis: redisUrl, keyPrefix });
    store = new RedisCommandStore({ redis: redisUrl, keyPrefix });
  } else {
    routes = new MemoryRouteTable();
    control = new MemoryControlChannel();
    lock = new MemoryDeviceLock();
    store = new MemoryCommandStore();
  }
  const bus = new MemoryBus({ retention: 10_000 });
  const config = loadConfig(
    {
      JIMI_PORT: '0',
      API_PORT: '0',
      ADMIN_PORT: 'off',
      API_TOKEN: TOKEN,
      API_RATE_LIMIT_PER_SECOND: '0',
      LOG_LEVEL: 'silent',
      MEDIA_DIR: mkdtempSync(join(tmpdir(), 'iothub-bench-')),
      GATE_ID: `bench-${name}`,
    },
    { hostname: 'bench' },
  );
  const gw = await startGatewayApp(config, { protocols: ['jimi'], host: '127.0.0.1', bus, routes, control });
  const api = await startInstructionApp(config, { host: '127.0.0.1', bus, routes, control, lock, store, keyPrefix });
  const port = gw.servers[0]?.port ?? 0;
  const imeiBase = String(86_300_000_000_000 + Math.floor(Math.random() * 1e11)).slice(0, 14);
  const sim = startSim(simBundle, [
    '--protocol',
    'jimi',
    '--devices',
    String(DEVICES),
    '--port',
    String(port),
    '--rate',
    '0',
    '--heartbeat',
    '60', // the simulator wants some traffic; one heartbeat a minute per device
    '--duration',
    '300',
    '--ramp',
    '2',
    '--imei-base',
    imeiBase,
  ]);
  try {
    const imeis = Array.from({ length: DEVICES }, (_, i) => imeiFor(imeiBase, i));
    const deadline = Date.now() + 60_000;
    for (;;) {
      const online = (await Promise.all(imeis.map((i) => routes.get(i)))).filter((r) => r !== null).length;
      if (online === DEVICES) break;
      if (Date.now() > deadline)
        throw new Error(`only ${online}/${DEVICES} devices online; simulator:\n${sim.output().slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    const cpu0 = process.cpuUsage();
    const elu0 = performance.eventLoopUtilization();
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const r = await runLoad([
      String(api.port),
      imeiBase,
      String(DEVICES),
      String(RATE),
      String(WARMUP_S),
      String(MEASURE_S),
    ]);
    const cpu = process.cpuUsage(cpu0);
    const elu = performance.eventLoopUtilization(elu0);
    delay.disable();
    note(
      `commands ${name}: gateway + API event loop utilization ${(elu.utilization * 100).toFixed(0)} %, loop delay p99 ${(delay.percentile(99) / 1e6).toFixed(1)} ms, max ${(delay.max / 1e6).toFixed(1)} ms; load average ${(await import('node:os')).loadavg()[0]?.toFixed(2)} on ${(await import('node:os')).availableParallelism()} cores`,
    );
    note(
      `commands ${name}: gateway + API process CPU ${((cpu.user + cpu.system) / 1000 / ((WARMUP_S + MEASURE_S) * RATE)).toFixed(3)} ms per command (user+system, whole run)`,
    );
    note(
      `commands ${name}: ${r.count} measured commands at ${RATE}/s over ${DEVICES} Jimi devices, max ${r.max.toFixed(1)} ms, _code counts ${JSON.stringify(r.codes)}`,
    );
    // Where the time goes: the router's own view (route → gateway → device → result), from its histogram.
    const h = (await api.registry.getSingleMetricAsString('iothub_router_command_duration_seconds'))
      .split('\n')
      .filter((l) => l.includes('outcome="replied"') && l.includes('_bucket'))
      .map((l) => `${/le="([^"]+)"/.exec(l)?.[1]}:${l.split(' ').pop()}`)
      .join(' ');
    note(`commands ${name}: router-side durations (s, cumulative, whole run incl. warm-up): ${h}`);
    line(`commands_rtt_p50_ms_${name}`, r.p50, 'ms');
    line(`commands_rtt_p99_ms_${name}`, r.p99, 'ms');
    line(`commands_per_s_${name}`, r.perSecond, 'commands/s');
  } finally {
    await sim.stop();
    await api.close();
    await gw.close();
    await Promise.allSettled([routes.close(), control.close(), lock.close(), store.close(), bus.close()]);
  }
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2).filter((a) => a !== '--');
  if (argv[0] === 'load') {
    await load(argv.slice(1));
    return;
  }
  const selected = new Set(argv);
  const runs = (m: string) => selected.size === 0 || selected.has(m);
  note(
    `node ${process.version}; targets: p99 ≤ 10 ms embedded, ≤ 20 ms Redis at ${RATE} commands/s over ${DEVICES} devices`,
  );
  const simBundle = await bundle('simulator/src/cli.ts', 'sim-commands');
  try {
    if (runs('embedded')) await mode('embedded', simBundle);
    if (runs('redis')) await mode('redis', simBundle);
  } finally {
    killAll();
  }
}

await main();
process.exit(0);
