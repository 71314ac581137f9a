/**
 * The push dispatcher benchmark proper (bundled and started by dispatch.bench.ts): figures, one `bench <name> <value> <unit>` line each.
 *
 *   dispatch_records_per_s_memory   records/s from the in-memory bus to a local receiver (Jimi
 *                                   profile, /pushgps, 50 records per request, 16 requests in flight)
 *   dispatch_records_per_s_kafka    the same from Kafka (records produced first, then consumed by a
 *                                   new consumer group from the earliest offset)
 *   dispatch_cpu_us_per_record_*    CPU time (user + system) of this process per record in those runs
 *   dispatch_kafka_consume_only_*   the Kafka client's own ceiling: the same records, a handler that
 *                                   does nothing
 *   dispatch_e2e_latency_p50_ms / _p99_ms
 *                                   events published to Kafka at 5,000 records/s (as a gateway
 *                                   does once it accepted the device message) → push received
 *
 * The receiver runs as its own process (dispatch/bench/receiver.mjs). Kafka figures need
 * KAFKA_BROKERS (`export $(bash scripts/services.sh env)`); without it they print a skip line.
 * Options: BENCH_RECORDS (default 100000), BENCH_E2E_SECONDS (default 10), BENCH_CONCURRENCY (16).
 */
import { type ChildProcess, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Bus, createLogger, KafkaBus, MemoryBus, Registry, type UplinkEvent } from '@iothub/core';
import { Dispatcher } from '../src/index.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const N = Number(process.env.BENCH_RECORDS ?? 100_000);
const E2E_SECONDS = Number(process.env.BENCH_E2E_SECONDS ?? 10);
const DEVICES = 1000;
const BASE = Date.parse('2026-01-01T00:00:00Z');

function line(name: string, value: number, unit: string): void {
  process.stdout.write(`bench ${name} ${Number.isInteger(value) ? value : value.toFixed(2)} ${unit}\n`);
}

interface ReceiverChild {
  child: ChildProcess;
  url: string;
  report(): Promise<{ requests: number; records: number; arrivals: [string, number][] }>;
  close(): void;
}

async function startReceiver(track: boolean): Promise<ReceiverChild> {
  const child = fork(path.join(HERE, 'receiver.mjs'), track ? ['--track'] : [], {
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout?.on('data', (c: Buffer) => {
      const m = /port (\d+)/.exec(c.toString());
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', () => reject(new Error('receiver exited')));
  });
  return {
    child,
    url: `http://127.0.0.1:${port}`,
    report: () =>
      new Promise((resolve) => {
        child.once('message', (m) => resolve(m as { requests: number; records: number; arrivals: [string, number][] }));
        child.send('report');
      }),
    close: () => child.send('exit'),
  };
}

/** Device i, record k: a position whose gpsTime is unique per device (the latency key). */
function event(i: number, k: number, receivedAt: string): UplinkEvent {
  const imei = `86011207${String(i).padStart(7, '0')}`;
  return {
    v: 1,
    id: `bench:${i}:${k}`,
    kind: 'location',
    deviceImei: imei,
    protocol: 'jt808',
    protocolVersion: '2013',
    gateId: 'bench',
    connId: `c${i}`,
    receivedAt,
    deviceTime: new Date(BASE + k * 1000).toISOString(),
    msgId: 512,
    serial: k & 0xffff,
    type: 'location-report',
    data: {
      alarm: 0,
      status: 262147,
      latitude: 22.68525,
      longitude: 114.06065,
      altitude: 35,
      speed: 40,
      course: 189,
      time: new Date(BASE + k * 1000).toISOString(),
      alarms: [],
      items: [
        { kind: 'mileage', id: 1, mileage: 48419 },
        { kind: 'satellites', id: 49, satellites: 10 },
      ],
    },
  };
}

function records(prefix: string, from: number, count: number, receivedAt: string) {
  const out = [];
  for (let n = from; n < from + count; n++) {
    const e = event(n % DEVICES, Math.floor(n / DEVICES), receivedAt);
    out.push({ topic: `${prefix}.location`, key: e.deviceImei, value: Buffer.from(JSON.stringify(e)) });
  }
  return out;
}

function makeDispatcher(bus: Bus, url: string, prefix: string, groupId: string): Dispatcher {
  return new Dispatcher({
    bus,
    topicPrefix: prefix,
    groupId,
    pushUrl: url,
    pushToken: 'bench',
    offlineCmdPushUrl: null,
    offlineCmdPushToken: null,
    profile: 'jimi',
    batchSize: 50,
    concurrency: Number(process.env.BENCH_CONCURRENCY ?? 16),
    retryBudgetMs: 3_600_000,
    backoffMinMs: 500,
    backoffMaxMs: 60_000,
    breakerFailures: 5,
    breakerOpenMs: 2_000,
    requestTimeoutMs: 10_000,
    hmacSecret: null,
    registry: new Registry(),
    logger: createLogger({ level: 'warn', service: 'dispatch' }),
  });
}

async function until(cond: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('benchmark timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function throughput(name: string, bus: Bus, receiver: ReceiverChild, prefix: string): Promise<void> {
  const url = receiver.url;
  receiver.child.send('reset');
  const d = makeDispatcher(bus, url, prefix, `bench-${randomUUID().slice(0, 8)}`);
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  await d.start();
  await until(() => d.health().deliveredRecords >= N, 600_000);
  const s = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  await d.close();
  line(name, Math.round(N / s), 'records/s');
  // CPU the dispatcher process spent per record (user + system): its capacity on one free core is 1e6 / this
  line(name.replace('records_per_s', 'cpu_us_per_record'), (cpu.user + cpu.system) / N, 'us');
  const r = await receiver.report();
  line(name.replace('records_per_s', 'records_per_request'), r.records / Math.max(1, r.requests), 'records');
}

/** The Kafka client's own ceiling: the same records consumed by a handler that does nothing. */
async function consumeOnly(bus: Bus, prefix: string): Promise<void> {
  let got = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const sub = await bus.subscribe({
    topics: [`${prefix}.location`],
    groupId: `bench-noop-${randomUUID().slice(0, 8)}`,
    handler: async (batch) => {
      got += batch.length;
    },
  });
  await until(() => got >= N, 600_000);
  const s = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  await sub.close();
  line('dispatch_kafka_consume_only_records_per_s', Math.round(N / s), 'records/s');
  line('dispatch_kafka_consume_only_cpu_us_per_record', (cpu.user + cpu.system) / N, 'us');
}

async function main(): Promise<void> {
  const receiver = await startReceiver(false);
  try {
    // memory bus
    const mem = new MemoryBus({ partitions: 4, maxBatch: 5000 });
    const at = new Date().toISOString();
    for (let n = 0; n < N; n += 10_000) await mem.publish(records('bench', n, Math.min(10_000, N - n), at));
    await throughput('dispatch_records_per_s_memory', mem, receiver, 'bench');
    await mem.close();

    const brokers = process.env.KAFKA_BROKERS?.split(',').filter((b) => b !== '') ?? [];
    if (brokers.length === 0) {
      process.stdout.write('bench dispatch_records_per_s_kafka skipped (KAFKA_BROKERS not set)\n');
      process.stdout.write('bench dispatch_e2e_latency_p50_ms skipped (KAFKA_BROKERS not set)\n');
      return;
    }
    const prefix = `bench-${Date.now().toString(36)}`;
    const kafka = new KafkaBus({ brokers, clientId: 'bench-dispatch', maxBatch: 5000 });
    try {
      for (let n = 0; n < N; n += 5_000) await kafka.publish(records(prefix, n, Math.min(5_000, N - n), at));
      await throughput('dispatch_records_per_s_kafka', kafka, receiver, prefix);
      await consumeOnly(kafka, prefix);
    } finally {
      await kafka.close();
    }
  } finally {
    receiver.close();
  }
  await latency();
}

/** Events published at 5,000/s for E2E_SECONDS; latency = push received − publish. */
async function latency(): Promise<void> {
  const brokers = process.env.KAFKA_BROKERS?.split(',').filter((b) => b !== '') ?? [];
  const receiver = await startReceiver(true);
  const prefix = `bench-e2e-${Date.now().toString(36)}`;
  const kafka = new KafkaBus({ brokers, clientId: 'bench-dispatch-e2e', maxBatch: 1000 });
  const published = new Map<string, number>();
  try {
    await kafka.publish(records(prefix, 0, 1, new Date().toISOString())); // create the topic
    const d = makeDispatcher(kafka, receiver.url, prefix, `bench-e2e-${randomUUID().slice(0, 8)}`);
    await d.start();
    await until(() => d.health().deliveredRecords >= 1, 60_000);
    const rate = 5_000;
    const tick = 20; // ms: 100 records per tick
    const total = rate * E2E_SECONDS;
    const start = performance.now();
    let sent = 1;
    const pubs: Promise<void>[] = [];
    while (sent < total + 1) {
      const due = Math.min(total + 1, 1 + Math.floor(((performance.now() - start) / 1000) * rate));
      if (due > sent) {
        const now = Date.now();
        const batch = records(prefix, sent, due - sent, new Date(now).toISOString());
        for (let n = sent; n < due; n++) {
          const i = n % DEVICES;
          const k = Math.floor(n / DEVICES);
          published.set(
            `86011207${String(i).padStart(7, '0')}|${new Date(BASE + k * 1000).toISOString().slice(0, 19).replace('T', ' ')}`,
            now,
          );
        }
        pubs.push(kafka.publish(batch));
        sent = due;
      }
      await new Promise((r) => setTimeout(r, tick));
    }
    await Promise.all(pubs);
    await until(() => d.health().deliveredRecords >= total + 1, 120_000);
    await d.close();
    const { arrivals } = await receiver.report();
    const lat: number[] = [];
    for (const [key, t] of arrivals) {
      const p = published.get(key);
      if (p !== undefined) lat.push(t - p);
    }
    lat.sort((a, b) => a - b);
    const q = (p: number) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))] ?? Number.NaN;
    line('dispatch_e2e_latency_p50_ms', q(0.5), 'ms');
    line('dispatch_e2e_latency_p99_ms', q(0.99), 'ms');
  } finally {
    receiver.close();
    await kafka.close();
  }
}

await main();
process.exit(0);
