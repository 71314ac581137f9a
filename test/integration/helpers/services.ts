/**
 * Stopping and starting the integration Kafka broker (`scripts/services.sh stop|start kafka`), for the
 * fault tests. `stop` returns once the broker process has exited (the script waits for the pid).
 */
import { execFile } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const SCRIPT = path.join(REPO, 'scripts/services.sh');

function services(...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('bash', [SCRIPT, ...args], { cwd: REPO, timeout: 150_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`services.sh ${args.join(' ')} failed: ${err.message}\n${stderr}`));
      else resolve(`${stdout}${stderr}`);
    });
  });
}

/** True when something accepts TCP connections on host:port. */
export function tcpOpen(host: string, port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(timeoutMs, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

/** Split `host:port` (the first broker of KAFKA_BROKERS). */
export function hostPort(address: string): { host: string; port: number } {
  const i = address.lastIndexOf(':');
  return { host: address.slice(0, i), port: Number(address.slice(i + 1)) };
}

export async function stopKafka(): Promise<void> {
  await services('stop', 'kafka');
}

export async function startKafka(): Promise<void> {
  await services('start', 'kafka');
}
