#!/usr/bin/env node
/**
 * iothub command line.
 *
 *   pnpm start                               the embedded process: every service that exists, in one
 *                                            process (in-memory bus and route table unless REDIS_URL /
 *                                            KAFKA_BROKERS are set); Ctrl-C stops it cleanly
 *   iothub gateway --protocol jt808|jimi     one gateway (fleet mode: one process per protocol;
 *                                            GATEWAY_WORKERS=N > 1 forks N workers on the port)
 *   iothub api                               the instruction API + downlink router (fleet mode:
 *                                            API_PORT 10088; admin /metrics /health on API_ADMIN_PORT)
 *   iothub dispatch                          the push dispatcher (fleet mode: Kafka → PUSH_URL),
 *                                            admin /metrics /health on DISPATCH_ADMIN_PORT (10066)
 *   iothub lbs                               the LBS service (GET /loc/query on LBS_PORT; fleet mode)
 *   iothub lbs-import --cells F --wifi F     import cell / WiFi CSVs into the LBS store (`pnpm lbs:import`)
 *   iothub status                            what this build can do
 *   pnpm decode <jt808|gt06|jt1078> <hex>    decode captured bytes and print them as JSON
 *
 * Services that do not exist yet (media) are listed as such by `start` and `status`; nothing
 * pretends to listen for them.
 */
import type { CodecIssue } from '@iothub/codec';
import { fromHex, gt06, jt808, jt1078 } from '@iothub/codec';
import {
  ConfigError,
  createLogger,
  createMetricsRegistry,
  type IothubConfig,
  loadConfig,
  onShutdown,
  redactUrl,
  startAdminServer,
} from '@iothub/core';
import { type DispatchApp, startDispatchApp } from '@iothub/dispatch';
import {
  type GatewayProtocolName,
  type LbsClient,
  lbsClientFromResolver,
  runGatewayCluster,
  startGatewayApp,
} from '@iothub/gateways';
import { type InstructionApp, startInstructionApp } from '@iothub/instruction-server';
import { type LbsService, runLbsImport, startLbsService } from '@iothub/lbs';

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

const NOT_BUILT = 'media services: not built yet';

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
  // The embedded process runs the LBS before the gateways and hands them its resolver (no HTTP hop).
  let lbsService: LbsService | null = null;
  let lbs: LbsClient | undefined;
  if (protocols.length > 1) {
    lbsService = await startLbsService(cfg, { logger, registry: createMetricsRegistry() });
    lbs = cfg.lbs.resolve ? lbsClientFromResolver(lbsService.resolver) : undefined;
  }
  const app = await startGatewayApp(cfg, { protocols, logger, ...(lbs ? { lbs } : {}) });
  // The embedded process (`start`) also runs the push dispatcher on the gateways' bus.
  let push: DispatchApp | null = null;
  if (protocols.length > 1 && (cfg.pushUrl !== null || cfg.offlineCmdPushUrl !== null)) {
    push = await startDispatchApp(cfg, { bus: app.bus, registry: app.registry, logger, adminPort: null });
  }
  // The embedded process also runs the instruction API + router on the gateways' bus, route table
  // and control channel (one in-memory set shared by everything).
  let instructions: InstructionApp | null = null;
  if (protocols.length > 1) {
    instructions = await startInstructionApp(cfg, {
      bus: app.bus,
      routes: app.routes,
      control: app.control,
      registry: app.registry,
      logger,
    });
  }
  const lines = [
    `iothub ${protocols.length > 1 ? 'embedded' : 'gateway'} (${cfg.mode} mode: ${cfg.kafkaBrokers.length > 0 ? `Kafka ${cfg.kafkaBrokers.join(',')}` : 'in-memory bus'}, ${cfg.redisUrl ? 'Redis route table' : 'in-memory route table'})`,
    ...app.servers.map(
      (s) => `  ${s.protocol.name === 'jt808' ? 'JT/T 808  ' : 'Jimi/GT06 '} devices on :${s.port}  (gate ${s.gateId})`,
    ),
    app.admin ? `  admin      /metrics /health /ready on :${app.admin.port}` : '  admin      off',
    ...(lbsService
      ? [
          `  LBS        GET /loc/query on :${lbsService.server.port} (${lbsService.resolver.counts.cells} cells, ${lbsService.resolver.counts.wifi} WiFi APs in ${cfg.lbs.dataDir})`,
        ]
      : []),
    ...(protocols.length > 1
      ? [push ? `  push       ${pushTargets(cfg)}` : '  push       off (PUSH_URL and OFFLINE_CMD_PUSH_URL unset)']
      : []),
    ...(instructions
      ? [
          `  API        POST /api/device/sendInstruct on :${instructions.port}${cfg.apiTokenGenerated ? ` (API_TOKEN not set; generated: ${cfg.apiToken})` : ''}`,
        ]
      : []),
    `  ${NOT_BUILT}`,
    '',
  ];
  process.stdout.write(lines.join('\n'));
  onShutdown(
    async () => {
      await instructions?.close();
      await push?.close();
      await app.close();
      await lbsService?.close();
    },
    { logger, timeoutMs: 10_000 },
  );
  return new Promise<number>(() => {});
}

/** Where the dispatcher pushes, for the status lines (credentials redacted). */
function pushTargets(cfg: IothubConfig): string {
  const parts: string[] = [];
  if (cfg.pushUrl !== null) parts.push(`${cfg.dispatch.profile} profile to ${redactUrl(cfg.pushUrl)}`);
  if (cfg.offlineCmdPushUrl !== null) parts.push(`offline-command results to ${redactUrl(cfg.offlineCmdPushUrl)}`);
  return parts.join('; ');
}

/** `iothub dispatch`: the push dispatcher as its own process (fleet mode), admin on DISPATCH_ADMIN_PORT. */
async function dispatch(): Promise<number> {
  const cfg = config();
  const logger = createLogger({ level: cfg.logLevel, service: 'dispatch' });
  for (const w of cfg.warnings) logger.warn({ code: 'IOTHUB_ERR_CONFIG_WARNING' }, w);
  if ((cfg.pushUrl === null && cfg.offlineCmdPushUrl === null) || cfg.kafkaBrokers.length === 0) {
    process.stderr.write(
      `iothub: configuration error: ${cfg.kafkaBrokers.length === 0 ? 'KAFKA_BROKERS is' : 'PUSH_URL (or OFFLINE_CMD_PUSH_URL) is'} not set: required by \`iothub dispatch\` [IOTHUB_ERR_CONFIG_MISSING]\n`,
    );
    return 2;
  }
  const app = await startDispatchApp(cfg, { logger });
  process.stdout.write(
    [
      `iothub dispatch (${cfg.dispatch.profile} profile, Kafka ${cfg.kafkaBrokers.join(',')}, group ${cfg.dispatch.groupId})`,
      `  push       ${pushTargets(cfg)}`,
      app.admin ? `  admin      /metrics /health /ready on :${app.admin.port}` : '  admin      off',
      '',
    ].join('\n'),
  );
  onShutdown(() => app.close(), { logger, timeoutMs: 10_000 });
  return new Promise<number>(() => {});
}

/** `iothub lbs`: the LBS service as its own process (fleet mode); Redis as the shared cache when set. */
async function lbsCommand(): Promise<number> {
  const cfg = config();
  const logger = createLogger({ level: cfg.logLevel, service: 'lbs' });
  for (const w of cfg.warnings) logger.warn({ code: 'IOTHUB_ERR_CONFIG_WARNING' }, w);
  const service = await startLbsService(cfg, { logger, registry: createMetricsRegistry({ defaultMetrics: true }) });
  const c = service.resolver.counts;
  process.stdout.write(
    [
      `iothub lbs (${cfg.redisUrl ? 'Redis shared cache' : 'memory cache only'}${cfg.lbs.upstreamUrl ? `, upstream ${redactUrl(cfg.lbs.upstreamUrl)}` : ''})`,
      `  GET /loc/query, /metrics /health /ready on :${service.server.port}`,
      `  store      ${c.cells} cells, ${c.wifi} WiFi APs in ${cfg.lbs.dataDir}`,
      '',
    ].join('\n'),
  );
  onShutdown(() => service.close(), { logger, timeoutMs: 10_000 });
  return new Promise<number>(() => {});
}

/** `iothub api`: the instruction API + router as their own process (fleet mode), admin on API_ADMIN_PORT. */
async function apiCommand(): Promise<number> {
  const cfg = config();
  const logger = createLogger({ level: cfg.logLevel, service: 'api' });
  for (const w of cfg.warnings) logger.warn({ code: 'IOTHUB_ERR_CONFIG_WARNING' }, w);
  const registry = createMetricsRegistry({ defaultMetrics: true });
  const app = await startInstructionApp(cfg, { logger, registry });
  const admin =
    cfg.api.adminPort === null
      ? null
      : await startAdminServer({
          port: cfg.api.adminPort,
          registry,
          logger,
          health: () => ({ status: 'ok', instance: app.service.instanceId, pendingCommands: app.router.pending }),
          ready: () => true,
        });
  process.stdout.write(
    [
      `iothub api (${cfg.mode} mode: ${cfg.redisUrl ? 'Redis routes, control channel, offline commands' : 'in-memory state'}, ${cfg.kafkaBrokers.length > 0 ? 'Kafka bus' : 'in-memory bus'})`,
      `  API        POST /api/device/sendInstruct on :${app.port}  (router ${app.router.address})`,
      admin ? `  admin      /metrics /health /ready on :${admin.port}` : '  admin      off',
      '',
    ].join('\n'),
  );
  onShutdown(
    async () => {
      await app.close();
      await admin?.close();
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
      'Built, all in `pnpm start` (embedded) or each as its own process (fleet):',
      '  protocol codecs (packages/codec); device gateways (gateways/): JT/T 808 on :21122 and Jimi/GT06 on',
      '  :21100 (`iothub gateway --protocol ...`); instruction API + router (instruction-server/, router/):',
      '  sendInstruct and offline commands on :10088 (`iothub api`); push dispatcher (dispatch/):',
      '  Jimi-compatible pushes to PUSH_URL (`iothub dispatch`); LBS (lbs/): GET /loc/query on :10099',
      '  (`iothub lbs`, `iothub lbs-import`).',
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
} else if (command === 'api') code = await apiCommand();
else if (command === 'dispatch') code = await dispatch();
else if (command === 'lbs') code = await lbsCommand();
else if (command === 'lbs-import') code = await runLbsImport(rest, config().lbs.dataDir);
else if (command === 'status') code = status();
else if (command === 'decode') code = decode(rest[0], rest[1]);
else {
  process.stderr.write(
    `unknown command: ${command} (start, gateway, api, dispatch, lbs, lbs-import, status, decode)\n`,
  );
  code = 2;
}
process.exitCode = code;
