/**
 * `pnpm sim -- --protocol jt808-2013|jt808-2019|jimi --devices N --port P --rate R --duration S …`
 *
 * Runs a fleet of simulated devices against a gateway for `--duration` seconds, prints a progress
 * line every second (to stderr: rewritten in place on a TTY, one line per second otherwise) and a
 * summary at the end (to stdout; with `--json` also one JSON line). Exit code 0, 1 when nothing was
 * acknowledged, 2 on invalid arguments. Ctrl-C stops early and still prints the summary.
 */
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { type CliConfig, parseCliArgs, USAGE } from './cli-args.ts';
import { SimError } from './errors.ts';
import { Fleet, type FleetOptions } from './fleet.ts';
import { progressLine, summaryText } from './report.ts';

/** Longest wait for outstanding acknowledgements after the run, ms. */
const DRAIN_MS = 3000;
/** Hard bound on stopping (drain + close) before the process exits anyway, ms. */
const STOP_BOUND_MS = 10_000;

export async function runCli(argv: readonly string[]): Promise<number> {
  let config: CliConfig;
  try {
    config = parseCliArgs(argv);
  } catch (err) {
    if (err instanceof SimError) {
      process.stderr.write(`sim: ${err.message.replace(/^IOTHUB_ERR_SIM_ARGS: /, '')}\n\n${USAGE}\n`);
      return 2;
    }
    throw err;
  }
  if (config.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const options: FleetOptions = {
    protocol: config.protocol,
    count: config.devices,
    firstIndex: config.firstIndex,
    host: config.host,
    port: config.port,
    rate: config.rate,
    heartbeatSeconds: config.heartbeat,
    alarmEvery: config.alarmEvery,
    batchEvery: config.batchEvery,
    batchSize: config.batchSize,
    ackTimeoutMs: config.ackTimeout * 1000,
    rampMs: config.ramp * 1000,
    phoneBase: config.phoneBase,
    imeiBase: config.imeiBase,
    locationAck: config.locationAck,
    sourceAddresses: config.sourceAddresses,
  };
  const fleet = new Fleet(options);
  const label = `${config.protocol} → ${config.host}:${config.port}`;
  process.stderr.write(
    `sim: ${config.devices} ${config.protocol} devices → ${config.host}:${config.port}, ${config.rate} locations/s each, ${config.duration} s\n`,
  );
  const tty = process.stderr.isTTY === true;
  const t0 = performance.now();
  fleet.start();

  let lastSent = 0;
  let lastAt = t0;
  const progress = setInterval(() => {
    const now = performance.now();
    const s = fleet.snapshot();
    const line = progressLine(s, (now - t0) / 1000, ((s.sent - lastSent) * 1000) / Math.max(1, now - lastAt));
    lastSent = s.sent;
    lastAt = now;
    if (tty) process.stderr.write(`\r${line}\x1b[K`);
    else process.stderr.write(`${line}\n`);
  }, 1000);

  await new Promise<void>((finish) => {
    const timer = setTimeout(done, config.duration * 1000);
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
    function done(): void {
      clearTimeout(timer);
      process.removeListener('SIGINT', done);
      process.removeListener('SIGTERM', done);
      finish();
    }
  });
  const elapsed = (performance.now() - t0) / 1000;
  clearInterval(progress);
  if (tty) process.stderr.write('\n');
  let bound: NodeJS.Timeout | undefined;
  await Promise.race([
    fleet.stop({ drainMs: Math.min(DRAIN_MS, config.ackTimeout * 1000) }),
    new Promise<void>((giveUp) => {
      bound = setTimeout(() => {
        process.stderr.write(`sim: devices did not stop within ${STOP_BOUND_MS} ms; exiting\n`);
        giveUp();
      }, STOP_BOUND_MS);
    }),
  ]);
  clearTimeout(bound);
  const s = fleet.snapshot();
  process.stdout.write(`${summaryText(s, label, elapsed)}\n`);
  if (config.json) process.stdout.write(`${JSON.stringify({ protocol: config.protocol, elapsed, ...s })}\n`);
  return s.acknowledged > 0 ? 0 : 1;
}

const isMain = process.argv[1] !== undefined && pathToFileURL(resolve(process.argv[1])).href === import.meta.url;
if (isMain) {
  runCli(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
      // Bounded: nothing of ours is left, but do not wait on anything else.
      setTimeout(() => process.exit(code), 200).unref();
    },
    (err: unknown) => {
      process.stderr.write(`sim: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}
