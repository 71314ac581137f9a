#!/usr/bin/env node
/**
 * iothub command line.
 *
 *   pnpm start                               the embedded process: every service that exists, in one
 *                                            process (in-memory bus and route table unless REDIS_URL /
 *                                            KAFKA_BROKERS are set); Ctrl-C stops it cleanly
 *   iothub gateway --protocol jt808|jimi     one gateway (fleet mode: one process per protocol;
 *                                            GATEWAY_WORKERS=N > 1 forks N workers on the port)
 *   iothub status                            what this build can do
 *   pnpm decode <jt808|gt06|jt1078> <hex>    decode captured bytes and print them as JSON
 *
 * Services that do not exist yet (router, instruction API, push dispatcher, media, LBS) are listed
 * as such by `start` and `status`; nothing pretends to listen for them.
 */
import type { CodecIssue } from '@iothub/codec';
import { fromHex, gt06, jt808, jt1078 } from '@iothub/codec';
import { ConfigError, createLogger, type IothubConfig, loadConfig, onShutdown } from '@iothub/core';
import { type GatewayProtocolName, runGatewayCluster, startGatewayApp } from '@iothub/gateways';

const args = process.argv.slice(2).filter((a) => a !== '--');
const [command, ...rest] = args;

/** JSON-friendly copy: bytes as hex, instants as ISO strings, 64-bit words as strings, getters included. */
function plain(value: unknown): unknown {
  if (value === null || value === undefined) return value;
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'invalid date' : value.toISOString();
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex');
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = plain(v);
    // Lazily computed fields (JT/T 1078 packets expose their body through getters).
    let proto = Object.getPrototypeOf(value) as object | null;
    while (proto && proto !== Object.prototype) {
      for (const [k, d] of Object.entries(Object.getOwnPropertyDescriptors(proto))) {
        if (d.get && !(k in out)) out[k] = plain((value as Record<string, unknown>)[k]);
      }
      proto = Object.getPrototypeOf(proto) as object | null;
    }
    return out;
  }
  return value;
}

function print(v: unknown): void {
  process.stdout.write(`${JSON.stringify(plain(v), null, 2)}\n`);
}

function decode(protocol: string | undefined, hex: string | undefined): number {
  if (!protocol || !hex) {
    process.stderr.write('usage: pnpm decode <jt808|gt06|jt1078> <hex>\n');
    return 2;
  }
  let bytes: Buffer;
  try {
    bytes = fromHex(hex);
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    return 2;
  }
  const issues: CodecIssue[] = [];
  const issue = (i: CodecIssue) => issues.push(i);
  let frames = 0;
  switch (protocol) {
    case 'jt808': {
      // Wire bytes (with 0x7e flags) go through the framer; bare unescaped frames are decoded as given.
      if (bytes[0] === 0x7e) {
        new jt808.Jt808Framer().push(bytes, {
          frame: (f, ok) => {
            frames++;
            print(jt808.decodeJt808Frame(f, ok));
          },
          issue,
        });
      } else {
        frames++;
        print(jt808.decodeJt808Frame(bytes));
      }
      break;
    }
    case 'gt06': {
      new gt06.Gt06Framer().push(bytes, {
        frame: (f, crcOk) => {
          frames++;
          print(gt06.decodeGt06Frame(f, crcOk));
        },
        issue,
      });
      break;
    }
    case 'jt1078': {
      const framer = new jt1078.Jt1078Framer();
      const sink = {
        packet: (p: unknown) => {
          frames++;
          print(p);
        },
        issue,
      };
      framer.push(bytes, sink);
      framer.flush(sink);
      break;
    }
    default:
      process.stderr.write(`unknown protocol ${protocol}: jt808, gt06 or jt1078\n`);
      return 2;
  }
  for (const i of issues) process.stderr.write(`${i.code}${i.detail ? `: ${i.detail}` : ''}\n`);
  if (frames === 0) process.stderr.write('no complete frame in the input\n');
  return frames > 0 ? 0 : 1;
}

const NOT_BUILT = 'instruction API (:10088), router, push dispatcher, media and LBS services: not built yet';

function config(): IothubConfig {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`iothub: configuration error: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
}

async function serve(protocols: readonly GatewayProtocolName[]): Promise<number> {
  const cfg = config();
  const logger = createLogger({ level: cfg.logLevel, service: protocols.length > 1 ? 'embedded' : 'gateway' });
  for (const w of cfg.warnings) logger.warn({ code: 'IOTHUB_ERR_CONFIG_WARNING' }, w);
  const app = await startGatewayApp(cfg, { protocols, logger });
  const lines = [
    `iothub ${protocols.length > 1 ? 'embedded' : 'gateway'} (${cfg.mode} mode: ${cfg.kafkaBrokers.length > 0 ? `Kafka ${cfg.kafkaBrokers.join(',')}` : 'in-memory bus'}, ${cfg.redisUrl ? 'Redis route table' : 'in-memory route table'})`,
    ...app.servers.map(
      (s) => `  ${s.protocol.name === 'jt808' ? 'JT/T 808  ' : 'Jimi/GT06 '} devices on :${s.port}  (gate ${s.gateId})`,
    ),
    app.admin ? `  admin      /metrics /health /ready on :${app.admin.port}` : '  admin      off',
    `  ${NOT_BUILT}`,
    '',
  ];
  process.stdout.write(lines.join('\n'));
  onShutdown(
    async () => {
      await app.close();
    },
    { logger, timeoutMs: 10_000 },
  );
  return new Promise<number>(() => {});
}

function protocolArg(argv: readonly string[]): GatewayProtocolName | null {
  const i = argv.indexOf('--protocol');
  const v = i >= 0 ? argv[i + 1] : undefined;
  return v === 'jt808' || v === 'jimi' ? v : null;
}

function status(): number {
  const id4 = (n: number) => `0x${n.toString(16).padStart(4, '0')}`;
  const jt = jt808.JT808_CODECS.map((c) => id4(c.msgId)).join(' ');
  const jimi = [...new Set(gt06.GT06_CODECS.flatMap((c) => c.protocols as readonly number[]))]
    .sort((a, b) => a - b)
    .map((p) => `0x${p.toString(16).padStart(2, '0')}`)
    .join(' ');
  process.stdout.write(
    [
      'iothub: open protocol gateway for GPS trackers and dashcams (Jimi IoT Hub compatible)',
      '',
      'Built: the protocol codecs (packages/codec) and the device gateways (gateways/): JT/T 808 on',
      ':21122 and Jimi/GT06 on :21100, run by `pnpm start` (embedded) or `iothub gateway --protocol ...`.',
      `Not yet: ${NOT_BUILT}.`,
      '',
      `JT/T 808 messages (decode + encode): ${jt}`,
      `Jimi/GT06 protocol numbers: ${jimi}`,
      'JT/T 1078 stream packets, frame reassembly, active-safety file data.',
      '',
      'Try: pnpm decode jt808 7e0002000001391234567800083a7e',
      '',
    ].join('\n'),
  );
  return 0;
}

let code: number;
if (command === undefined || command === 'start') code = await serve(['jt808', 'jimi']);
else if (command === 'gateway') {
  const p = protocolArg(rest);
  if (!p) {
    process.stderr.write('usage: iothub gateway --protocol jt808|jimi\n');
    code = 2;
  } else {
    // GATEWAY_WORKERS > 1: node:cluster workers share the device port (gateways/src/cluster.ts).
    const cfg = config();
    code = cfg.gateway.workers > 1 ? await runGatewayCluster(cfg, { protocol: p }) : await serve([p]);
  }
} else if (command === 'status') code = status();
else if (command === 'decode') code = decode(rest[0], rest[1]);
else {
  process.stderr.write(`unknown command: ${command} (start, gateway, status, decode)\n`);
  code = 2;
}
process.exitCode = code;
