#!/usr/bin/env node
/**
 * iothub command line.
 *
 *   pnpm start                          what this build can do (no server exists yet: see below)
 *   pnpm decode <jt808|gt06|jt1078> <hex>   decode captured bytes and print them as JSON
 *
 * Today only the codec exists (issue #2); the gateways, router, instruction API, push dispatcher,
 * media and LBS services arrive with their issues, and `pnpm start` will then run them all in one
 * process. Until then it says so and exits.
 */
import type { CodecIssue } from '@iothub/codec';
import { fromHex, gt06, jt808, jt1078 } from '@iothub/codec';

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
      'Status: only the protocol codec package (packages/codec) exists so far.',
      'No server is started: the device gateways (JT/T 808 :21122, Jimi :21100), the instruction',
      'API (:10088), the push dispatcher, media and LBS services are not built yet.',
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
if (command === undefined || command === 'start' || command === 'status') code = status();
else if (command === 'decode') code = decode(rest[0], rest[1]);
else {
  process.stderr.write(`unknown command: ${command} (start, decode)\n`);
  code = 2;
}
process.exitCode = code;
