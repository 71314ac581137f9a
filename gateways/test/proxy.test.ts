import { describe, expect, it } from 'vitest';
import { encodeProxyV2, PROXY_V2_SIGNATURE, parseProxyHeader } from '../src/common/proxy.ts';

describe('PROXY protocol parser', () => {
  it('v1 TCP4 / TCP6 / UNKNOWN, and what follows the header is left alone', () => {
    const h = Buffer.from('PROXY TCP4 203.0.113.7 10.0.0.1 51234 21122\r\n7e0002');
    expect(parseProxyHeader(h)).toEqual({
      status: 'ok',
      length: 45,
      source: { address: '203.0.113.7', port: 51234 },
    });
    expect(parseProxyHeader(Buffer.from('PROXY TCP6 2001:db8::1 2001:db8::2 4000 21122\r\n'))).toMatchObject({
      status: 'ok',
      source: { address: '2001:db8::1', port: 4000 },
    });
    expect(parseProxyHeader(Buffer.from('PROXY UNKNOWN\r\n'))).toEqual({ status: 'ok', length: 15, source: null });
  });

  it('v1 incomplete at every split point, invalid forms rejected', () => {
    const h = Buffer.from('PROXY TCP4 203.0.113.7 10.0.0.1 51234 21122\r\n');
    for (let i = 1; i < h.length; i++) expect(parseProxyHeader(h.subarray(0, i)).status).toBe('incomplete');
    for (const bad of [
      'PROXY TCP4 203.0.113.7 10.0.0.1 51234\r\n',
      'PROXY TCP4 300.0.113.7 10.0.0.1 51234 21122\r\n',
      'PROXY TCP4 203.0.113.7 10.0.0.1 99999 21122\r\n',
      'PROXY TCP5 a b 1 2\r\n',
      'PROXY TCP4 203.0.113.7 10.0.0.1 51234 21122\n',
      'GET / HTTP/1.1\r\n',
      `PROXY ${'x'.repeat(120)}`,
    ]) {
      expect(parseProxyHeader(Buffer.from(bad)).status, bad).toBe('invalid');
    }
    expect(parseProxyHeader(Buffer.from('7e0002', 'hex')).status).toBe('invalid');
  });

  it('v2 PROXY TCP4, LOCAL, TCP6, with TLVs, incomplete at every split point', () => {
    const h = encodeProxyV2({ address: '198.51.100.9', port: 40000 }, { address: '10.0.0.1', port: 21122 });
    expect(h.length).toBe(28);
    expect(parseProxyHeader(Buffer.concat([h, Buffer.from([0x7e])]))).toEqual({
      status: 'ok',
      length: 28,
      source: { address: '198.51.100.9', port: 40000 },
    });
    for (let i = 1; i < h.length; i++) expect(parseProxyHeader(h.subarray(0, i)).status).toBe('incomplete');

    const local = Buffer.concat([PROXY_V2_SIGNATURE, Buffer.from([0x20, 0x00, 0x00, 0x00])]);
    expect(parseProxyHeader(local)).toEqual({ status: 'ok', length: 16, source: null });

    const v6 = Buffer.alloc(16 + 36 + 5);
    PROXY_V2_SIGNATURE.copy(v6);
    v6[12] = 0x21;
    v6[13] = 0x21;
    v6.writeUInt16BE(36 + 5, 14);
    v6.writeUInt16BE(0x2001, 16);
    v6.writeUInt16BE(0x0db8, 18);
    v6.writeUInt16BE(1, 30);
    v6.writeUInt16BE(5555, 48);
    expect(parseProxyHeader(v6)).toEqual({
      status: 'ok',
      length: 57,
      source: { address: '2001:db8:0:0:0:0:0:1', port: 5555 },
    });
  });

  it('v2 invalid version, command, truncated addresses, oversized length', () => {
    const base = encodeProxyV2({ address: '1.2.3.4', port: 1 }, { address: '5.6.7.8', port: 2 });
    const v1 = Buffer.from(base);
    v1[12] = 0x11;
    expect(parseProxyHeader(v1).status).toBe('invalid');
    const cmd = Buffer.from(base);
    cmd[12] = 0x22;
    expect(parseProxyHeader(cmd).status).toBe('invalid');
    const short = Buffer.from(base.subarray(0, 20));
    short.writeUInt16BE(4, 14);
    expect(parseProxyHeader(short).status).toBe('invalid');
    const big = Buffer.from(base);
    big.writeUInt16BE(0xffff, 14);
    expect(parseProxyHeader(big).status).toBe('invalid');
    const sig = Buffer.from(base);
    sig[5] = 0;
    expect(parseProxyHeader(sig).status).toBe('invalid');
  });
});
