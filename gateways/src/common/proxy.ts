/**
 * PROXY protocol (HAProxy, www.haproxy.org/download/2.9/doc/proxy-protocol.txt) v1 and v2 header
 * parser, for the first bytes of a device connection behind a 4-layer load balancer.
 *
 * v1: `PROXY TCP4|TCP6|UNKNOWN <src> <dst> <sport> <dport>\r\n`, at most 107 bytes.
 * v2: 12-byte signature `0D 0A 0D 0A 00 0D 0A 51 55 49 54 0A`, version/command byte (0x2X: 0 LOCAL,
 *     1 PROXY), family/transport byte (0x11 TCP4, 0x21 TCP6, 0x12 UDP4, 0x22 UDP6, 0x31/0x32 UNIX,
 *     0x00 UNSPEC), length WORD, then the addresses (IPv4: src 4, dst 4, sport 2, dport 2; IPv6: 16,
 *     16, 2, 2) and TLVs (skipped).
 * Pure: `parseProxyHeader(buf)` says whether more bytes are needed, the header is invalid, or how many
 * bytes it took and the source address (absent for LOCAL / UNKNOWN / UNIX: keep the socket's address).
 */
export type ProxyParseResult =
  | { status: 'incomplete' }
  | { status: 'invalid'; detail: string }
  | { status: 'ok'; length: number; source: { address: string; port: number } | null };

export const PROXY_V2_SIGNATURE = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);
const V1_PREFIX = Buffer.from('PROXY ', 'ascii');
const V1_MAX = 107;
/** Largest v2 header accepted (16-byte fixed part + addresses + TLVs). */
export const PROXY_V2_MAX = 16 + 536;

export function parseProxyHeader(buf: Buffer): ProxyParseResult {
  if (buf.length === 0) return { status: 'incomplete' };
  if (buf[0] === 0x0d) return parseV2(buf);
  if (buf[0] === 0x50) return parseV1(buf);
  return { status: 'invalid', detail: 'no PROXY header' };
}

function prefixMatches(buf: Buffer, prefix: Buffer): boolean | 'short' {
  const n = Math.min(buf.length, prefix.length);
  for (let i = 0; i < n; i++) if (buf[i] !== prefix[i]) return false;
  return n < prefix.length ? 'short' : true;
}

function parseV1(buf: Buffer): ProxyParseResult {
  const m = prefixMatches(buf, V1_PREFIX);
  if (m === false) return { status: 'invalid', detail: 'no PROXY header' };
  if (m === 'short') return { status: 'incomplete' };
  const lf = buf.indexOf(0x0a);
  if (lf < 0)
    return buf.length >= V1_MAX ? { status: 'invalid', detail: 'v1 header too long' } : { status: 'incomplete' };
  if (lf + 1 > V1_MAX) return { status: 'invalid', detail: 'v1 header too long' };
  if (buf[lf - 1] !== 0x0d) return { status: 'invalid', detail: 'v1 header without CRLF' };
  const line = buf.toString('latin1', 0, lf - 1);
  const parts = line.split(' ');
  const proto = parts[1];
  if (proto === 'UNKNOWN') return { status: 'ok', length: lf + 1, source: null };
  if ((proto !== 'TCP4' && proto !== 'TCP6') || parts.length !== 6) {
    return { status: 'invalid', detail: 'v1 header fields' };
  }
  const src = parts[2]!;
  const sport = parsePort(parts[4]!);
  const dport = parsePort(parts[5]!);
  const okAddr = proto === 'TCP4' ? isIPv4(src) && isIPv4(parts[3]!) : src.includes(':') && parts[3]!.includes(':');
  if (!okAddr || sport < 0 || dport < 0) return { status: 'invalid', detail: 'v1 address or port' };
  return { status: 'ok', length: lf + 1, source: { address: src, port: sport } };
}

function parsePort(s: string): number {
  if (!/^\d{1,5}$/.test(s)) return -1;
  const n = Number(s);
  return n <= 65535 ? n : -1;
}

function isIPv4(s: string): boolean {
  const p = s.split('.');
  return p.length === 4 && p.every((x) => /^\d{1,3}$/.test(x) && Number(x) <= 255);
}

function parseV2(buf: Buffer): ProxyParseResult {
  const m = prefixMatches(buf, PROXY_V2_SIGNATURE);
  if (m === false) return { status: 'invalid', detail: 'no PROXY header' };
  if (m === 'short' || buf.length < 16) return { status: 'incomplete' };
  const verCmd = buf[12]!;
  if (verCmd >> 4 !== 2) return { status: 'invalid', detail: `v2 version ${verCmd >> 4}` };
  const cmd = verCmd & 0x0f;
  if (cmd > 1) return { status: 'invalid', detail: `v2 command ${cmd}` };
  const fam = buf[13]!;
  const len = buf.readUInt16BE(14);
  if (16 + len > PROXY_V2_MAX) return { status: 'invalid', detail: `v2 length ${len}` };
  if (buf.length < 16 + len) return { status: 'incomplete' };
  const total = 16 + len;
  if (cmd === 0) return { status: 'ok', length: total, source: null }; // LOCAL: health check by the LB
  const af = fam >> 4;
  if (af === 1) {
    if (len < 12) return { status: 'invalid', detail: 'v2 IPv4 addresses truncated' };
    const a = `${buf[16]}.${buf[17]}.${buf[18]}.${buf[19]}`;
    return { status: 'ok', length: total, source: { address: a, port: buf.readUInt16BE(24) } };
  }
  if (af === 2) {
    if (len < 36) return { status: 'invalid', detail: 'v2 IPv6 addresses truncated' };
    const groups: string[] = [];
    for (let i = 0; i < 8; i++) groups.push(buf.readUInt16BE(16 + i * 2).toString(16));
    return { status: 'ok', length: total, source: { address: groups.join(':'), port: buf.readUInt16BE(48) } };
  }
  // UNSPEC or UNIX: no usable address; keep the socket's.
  return { status: 'ok', length: total, source: null };
}

/** Encode a v2 PROXY header (for tests and the simulator). */
export function encodeProxyV2(
  source: { address: string; port: number },
  dest: { address: string; port: number },
): Buffer {
  const v4 = isIPv4(source.address);
  const head = Buffer.alloc(16);
  PROXY_V2_SIGNATURE.copy(head, 0);
  head[12] = 0x21;
  if (v4) {
    head[13] = 0x11;
    head.writeUInt16BE(12, 14);
    const body = Buffer.alloc(12);
    source.address.split('.').forEach((x, i) => {
      body[i] = Number(x);
    });
    dest.address.split('.').forEach((x, i) => {
      body[4 + i] = Number(x);
    });
    body.writeUInt16BE(source.port, 8);
    body.writeUInt16BE(dest.port, 10);
    return Buffer.concat([head, body]);
  }
  throw new Error('encodeProxyV2: only IPv4 is supported');
}
