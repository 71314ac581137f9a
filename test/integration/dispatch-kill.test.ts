/**
 * `iothub dispatch` as its own process against real Kafka, killed (SIGKILL) in the middle of a
 * 20,000-record run and started again: nothing is lost (duplicates allowed and counted), the order
 * per device holds, and its admin server answers /health.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { KafkaBus } from '@iothub/core';
import { describe, expect, it } from 'vitest';
import { location } from '../../dispatch/test/helpers.ts';
import { Receiver } from '../../dispatch/test/receiver.ts';
import { serviceEnv } from './env.ts';
import { uniquePrefix } from './helpers/kafka.ts';
import { waitUntil } from './helpers/wait.ts';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const kafkaBrokers = serviceEnv('KAFKA_BROKERS');
const TOTAL = 20_000;
const DEVICES = 100;

interface Proc {
  child: ChildProcess;
  adminPort: number;
  output(): string;
  exited: Promise<unknown>;
}

async function spawnDispatch(env: Record<string, string>): Promise<Proc> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bin/iothub.ts', 'dispatch'], {
    cwd: REPO,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (c: Buffer) => {
    out += c.toString();
  });
  child.stderr?.on('data', (c: Buffer) => {
    out += c.toString();
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  await waitUntil(
    () => /admin .* on :(\d+)/.test(out) || child.exitCode !== null,
    60_000,
    `dispatch start-up:\n${out}`,
  );
  const m = /admin .* on :(\d+)/.exec(out);
  if (!m) throw new Error(`dispatch did not start:\n${out}`);
  return { child, adminPort: Number(m[1]), output: () => out, exited };
}

describe.skipIf(kafkaBrokers === undefined)('dispatch: process killed mid-run and restarted (Kafka)', () => {
  it('loses nothing; duplicates counted; per-device order kept; /health answers', async () => {
    const brokers = kafkaBrokers ?? '';
    const prefix = uniquePrefix('dispatch-kill');
    const receiver = await new Receiver().listen();
    receiver.delayMs = 10; // requests take a while: the kill lands while some are under way
    const producer = new KafkaBus({ brokers: brokers.split(','), clientId: 'it-dispatch-kill' });
    const env = {
      KAFKA_BROKERS: brokers,
      TOPIC_PREFIX: prefix,
      PUSH_URL: receiver.url,
      PUSH_TOKEN: 'it',
      DISPATCH_GROUP_ID: `${prefix}-dispatch`,
      DISPATCH_ADMIN_PORT: '0',
      API_TOKEN: 'it-token',
    };
    let proc: Proc | undefined;
    try {
      const records = [];
      for (let k = 0; k < TOTAL / DEVICES; k++) {
        for (let i = 0; i < DEVICES; i++) {
          const e = location(`86097${String(i).padStart(10, '0')}`, k);
          e.data.altitude = k; // per-device sequence, pushed as is
          records.push({ topic: `${prefix}.location`, key: e.deviceImei, value: Buffer.from(JSON.stringify(e)) });
        }
      }
      for (let n = 0; n < TOTAL; n += 2_000) await producer.publish(records.slice(n, n + 2_000));

      proc = await spawnDispatch(env);
      const health = (await (await fetch(`http://127.0.0.1:${proc.adminPort}/health`)).json()) as { status: string };
      expect(['ok', 'degraded']).toContain(health.status);
      // kill in the middle of a batch: records delivered, their batch not yet committed
      const adminPort = proc.adminPort;
      await waitUntil(
        async () => {
          if (receiver.acceptedRecords().length < 3_000) return false;
          const h = (await (await fetch(`http://127.0.0.1:${adminPort}/health`)).json()) as { pendingRecords: number };
          return h.pendingRecords > 0;
        },
        120_000,
        '3,000 records delivered and a batch under way',
        5,
      );
      proc.child.kill('SIGKILL');
      await proc.exited;
      const beforeRestart = receiver.acceptedRecords().length;
      expect(beforeRestart).toBeLessThan(TOTAL);

      proc = await spawnDispatch(env);
      const unique = () => new Set(receiver.acceptedRecords().map((r) => `${r.deviceImei}/${r.altitude}`)).size;
      await waitUntil(() => unique() === TOTAL, 120_000, 'every record delivered after the restart');
      const ok = (await (await fetch(`http://127.0.0.1:${proc.adminPort}/health`)).json()) as {
        status: string;
        breakers: unknown;
      };
      expect(ok).toMatchObject({ status: 'ok', breakers: { push: 'closed' } });
      const metrics = await (await fetch(`http://127.0.0.1:${proc.adminPort}/metrics`)).text();
      expect(metrics).toMatch(/iothub_dispatch_records_total\{endpoint="pushgps",outcome="delivered"\} \d+/);

      const accepted = receiver.acceptedRecords();
      const duplicates = accepted.length - TOTAL;
      process.stdout.write(
        `dispatch-kill: ${beforeRestart} accepted before the kill, ${accepted.length} in all, ${duplicates} duplicates\n`,
      );
      expect(duplicates).toBeGreaterThanOrEqual(0);
      // duplicates are the records of uncommitted batches at the kill: at most one batch per
      // partition (the KafkaBus hands out at most 1000 records per handler call; 4 partitions)
      expect(duplicates).toBeLessThanOrEqual(4 * 1_000);
      const firsts = new Map<string, number[]>();
      const seen = new Set<string>();
      for (const r of accepted) {
        const key = `${r.deviceImei}/${r.altitude}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const l = firsts.get(r.deviceImei as string) ?? [];
        l.push(Number(r.altitude));
        firsts.set(r.deviceImei as string, l);
      }
      for (const [, l] of firsts) expect(l).toEqual(Array.from({ length: TOTAL / DEVICES }, (_, k) => k));
    } finally {
      if (proc && proc.child.exitCode === null && proc.child.signalCode === null) {
        proc.child.kill('SIGTERM');
        await proc.exited;
      }
      await receiver.close();
      await producer.close();
    }
  }, 300_000);
});
