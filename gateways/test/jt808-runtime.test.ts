/**
 * The connection runtime with the JT/T 808 protocol over real TCP: durable acknowledgement, duplicate
 * logins (same gateway and across gateways), idle timeout, limits, PROXY protocol, downlink commands,
 * graceful shutdown.
 */
import net from 'node:net';
import type { ControlMessage } from '@iothub/core';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeProxyV2 } from '../src/common/proxy.ts';
import type { GatewayServer } from '../src/common/server.ts';
import type { Jt808Frame } from '../src/jt808/index.ts';
import { type Env, events, locationBody, makeEnv, startGateway, Terminal, waitFor } from './jt808-helpers.ts';

const gateways: GatewayServer<Jt808Frame>[] = [];
const terminals: Terminal[] = [];
afterEach(async () => {
  for (const t of terminals.splice(0)) t.end();
  await Promise.all(gateways.splice(0).map((g) => g.close()));
});

async function gateway(env: Env, ...args: Parameters<typeof startGateway> extends [Env, ...infer R] ? R : never) {
  const g = await startGateway(env, ...args);
  gateways.push(g);
  return g;
}

function terminal(port: number, phone: string, version: 2013 | 2019 = 2013, prefix?: Buffer): Terminal {
  const t = new Terminal(port, phone, version, prefix);
  terminals.push(t);
  return t;
}

function resultOf(t: Terminal, n: number): number {
  const m = t.received[n - 1]?.packet.message;
  return m && 'body' in m ? ((m.body as { result?: number }).result ?? -1) : -1;
}

async function metric(env: Env, name: string, labels: Record<string, string>): Promise<number> {
  const m = env.registry.getSingleMetric(name);
  if (!m) return 0;
  const v = (await m.get()).values.find((x) => Object.entries(labels).every(([k, l]) => x.labels[k] === l));
  return v?.value ?? 0;
}

describe('durable acknowledgement', () => {
  it('no acknowledgement while the bus is down; acknowledged after publish once it is back', async () => {
    const env = makeEnv();
    const gw = await gateway(env);
    const t = terminal(gw.port, '013900000001');
    await t.login();
    env.bus.setAvailable(false);
    t.send({ type: 'location-report', body: locationBody() });
    // The heartbeat's (non-durable) reply is written after the location's step: when it arrives,
    // the location's acknowledgement has been withheld.
    const hb = t.send({ type: 'heartbeat', body: {} });
    const r = await t.nth(3);
    expect(r.packet.message.type === 'platform-general-response' && r.packet.message.body.replySerial).toBe(hb);
    expect(events(env.bus, 'location')).toHaveLength(0);

    env.bus.setAvailable(true);
    const loc = t.send({ type: 'location-report', body: locationBody() });
    const r2 = await t.nth(4);
    expect(r2.packet.message.type === 'platform-general-response' && r2.packet.message.body.replySerial).toBe(loc);
    expect(events(env.bus, 'location').map((e) => e.serial)).toEqual([loc]);
    expect(t.received).toHaveLength(4);
  });

  it('durableAck: false acknowledges at once even with the bus down', async () => {
    const env = makeEnv();
    const gw = await gateway(env, { durableAck: false });
    const t = terminal(gw.port, '013900000002');
    await t.login();
    env.bus.setAvailable(false);
    const loc = t.send({ type: 'location-report', body: locationBody() });
    const r = await t.nth(3);
    expect(r.packet.message.type === 'platform-general-response' && r.packet.message.body.replySerial).toBe(loc);
  });

  it('publishUnauthenticated publishes and acknowledges without authentication', async () => {
    const env = makeEnv();
    const gw = await gateway(env, {}, { publishUnauthenticated: true });
    const t = terminal(gw.port, '013900000003');
    t.send({ type: 'location-report', body: locationBody() });
    await t.nth(1);
    expect(resultOf(t, 1)).toBe(0);
    expect(events(env.bus, 'location')[0]?.deviceImei).toBe('13900000003');
  });
});

describe('registration policy', () => {
  it('allow-list refuses an unknown terminal with 0x8100 result 4', async () => {
    const env = makeEnv();
    const gw = await gateway(env, {}, { registration: { mode: 'allow-list', allowed: new Set(['13900000009']) } });
    const bad = terminal(gw.port, '013900000004');
    await expect(bad.login()).rejects.toThrow();
    expect(resultOf(bad, 1)).toBe(4);
    const good = terminal(gw.port, '013900000009');
    await good.login();
  });
});

describe('duplicate login', () => {
  it('a second login of the same device on the same gateway closes the older connection', async () => {
    const env = makeEnv();
    const gw = await gateway(env);
    const a = terminal(gw.port, '013900000010');
    await a.login();
    const b = terminal(gw.port, '013900000010');
    await b.login();
    await a.waitClosed();
    expect(b.closed).toBe(false);
    await waitFor(() => gw.byDevice.get('13900000010'), 'route');
    const route = await env.routes.get('13900000010');
    expect(route?.connId).toBe(gw.byDevice.get('13900000010')?.id);
    const loc = b.send({ type: 'location-report', body: locationBody() });
    await waitFor(() => events(env.bus, 'location').find((e) => e.serial === loc), 'location of b');
  });

  it('a login on another gateway kicks the older connection through the control channel', async () => {
    const env = makeEnv();
    const g1 = await gateway(env, { gateId: 'gw-1' });
    const g2 = await gateway(env, { gateId: 'gw-2' });
    const a = terminal(g1.port, '013900000011', 2019);
    await a.login();
    const b = terminal(g2.port, '013900000011', 2019);
    await b.login();
    await a.waitClosed();
    expect(b.closed).toBe(false);
    expect((await env.routes.get('13900000011'))?.gateId).toBe('gw-2');
  });
});

describe('route table', () => {
  it('traffic refreshes the route entry beyond its TTL', async () => {
    const env = makeEnv();
    const gw = await gateway(env, { routeTtlMs: 300 });
    const t = terminal(gw.port, '013900000090');
    await t.login();
    await waitFor(() => gw.byDevice.get('13900000090'), 'claim');
    const started = Date.now();
    let n = 2;
    while (Date.now() - started < 900) {
      t.send({ type: 'heartbeat', body: {} });
      await t.nth(++n);
      await new Promise((r) => setTimeout(r, 50));
    }
    expect((await env.routes.get('13900000090'))?.gateId).toBe('gw-a');
  });
});

describe('limits', () => {
  it('idle read timeout closes the connection', async () => {
    const env = makeEnv();
    const gw = await gateway(env, { idleTimeoutMs: 300 });
    const t = terminal(gw.port, '013900000020');
    await t.login();
    await t.waitClosed();
    expect(await metric(env, 'iothub_gateway_limit_hits_total', { limit: 'idle-timeout' })).toBe(1);
    await waitFor(() => gw.connections.size === 0, 'connection gone');
    expect(await env.routes.get('13900000020')).toBeNull();
  });

  it('an oversized frame, a message-rate burst and a garbage flood each close only their connection', async () => {
    const env = makeEnv();
    const gw = await gateway(env, {
      maxFrameSize: 256,
      rateLimit: { messages: 20, windowMs: 60_000 },
      maxGarbageBytes: 2048,
    });
    const good = terminal(gw.port, '013900000030');
    await good.login();

    const big = terminal(gw.port, '013900000031');
    await big.connected();
    big.sendRaw(0x0f02, Buffer.alloc(600, 1));
    await big.waitClosed();

    const fast = terminal(gw.port, '013900000032');
    await fast.connected();
    for (let i = 0; i < 30; i++) fast.send({ type: 'heartbeat', body: {} });
    await fast.waitClosed();

    const noise = terminal(gw.port, '013900000033');
    await noise.connected();
    const junk = Buffer.alloc(8192);
    for (let i = 0; i < junk.length; i++) junk[i] = (i * 31 + 7) & 0xff;
    for (let i = 0; i < junk.length; i++) if (junk[i] === 0x7e) junk[i] = 0x55;
    noise.socket.write(junk);
    await noise.waitClosed();

    expect(await metric(env, 'iothub_gateway_limit_hits_total', { limit: 'frame-size' })).toBe(1);
    expect(await metric(env, 'iothub_gateway_limit_hits_total', { limit: 'message-rate' })).toBe(1);
    expect(await metric(env, 'iothub_gateway_limit_hits_total', { limit: 'garbage' })).toBe(1);

    expect(good.closed).toBe(false);
    const loc = good.send({ type: 'location-report', body: locationBody() });
    await waitFor(
      () =>
        good.received.find(
          (r) => r.packet.message.type === 'platform-general-response' && r.packet.message.body.replySerial === loc,
        ),
      'ack of the good device',
    );
  });

  it('maxConnections refuses connections over the limit', async () => {
    const env = makeEnv();
    const gw = await gateway(env, { maxConnections: 1 });
    const a = terminal(gw.port, '013900000040');
    await a.login();
    const b = terminal(gw.port, '013900000041');
    await b.waitClosed();
    expect(a.closed).toBe(false);
  });
});

describe('PROXY protocol', () => {
  it('v1 and v2 headers give the route entry the real client address', async () => {
    const env = makeEnv();
    const gw = await gateway(env, { proxyProtocol: true });
    const v1 = terminal(gw.port, '013900000050', 2013, Buffer.from('PROXY TCP4 203.0.113.7 10.0.0.1 51234 21122\r\n'));
    await v1.login();
    const v2 = terminal(
      gw.port,
      '013900000051',
      2019,
      encodeProxyV2({ address: '198.51.100.9', port: 40000 }, { address: '10.0.0.1', port: 21122 }),
    );
    await v2.login();
    await waitFor(() => gw.byDevice.has('13900000051'), 'claim');
    expect((await waitFor(() => gw.byDevice.get('13900000050'), 'c1')).remoteAddress).toBe('203.0.113.7:51234');
    expect((await env.routes.get('13900000051'))?.remoteAddress).toBe('198.51.100.9:40000');
    const bad = terminal(gw.port, '013900000052');
    await bad.connected();
    bad.send({ type: 'heartbeat', body: {} });
    await bad.waitClosed();
  });
});

describe('downlink commands', () => {
  it('round trip: text 0x8300 written, 0x0001 matched by serial, result sent to replyTo; timeout; offline', async () => {
    const env = makeEnv();
    const gw = await gateway(env);
    const results: ControlMessage[] = [];
    await env.control.listen('router-1', (m) => results.push(m));
    const t = terminal(gw.port, '013900000060', 2019);
    await t.login();
    await waitFor(() => gw.byDevice.get('13900000060'), 'claim');

    await env.control.send('gw-a', {
      type: 'command',
      commandId: 'c1',
      deviceImei: '13900000060',
      replyTo: 'router-1',
      deadline: Date.now() + 5000,
      command: { kind: 'jt808-text', text: 'hello' },
    });
    const cmd = await t.nth(3);
    expect(cmd.packet.message.type).toBe('text-message');
    expect(cmd.packet.message.type === 'text-message' && cmd.packet.message.body).toMatchObject({
      text: 'hello',
      textType: 1,
    });
    t.send({
      type: 'terminal-general-response',
      body: { replySerial: cmd.packet.header.serial, replyMsgId: 0x8300, result: 0 },
    });
    const r1 = await waitFor(() => results.find((m) => m.type === 'command-result' && m.commandId === 'c1'), 'c1');
    expect(r1).toMatchObject({ result: { status: 'replied', msgId: 1, reply: { result: 0, replyMsgId: 0x8300 } } });
    expect(events(env.bus, 'command-reply')).toHaveLength(1);

    // A dedicated answer: 0x8201 query location → 0x0201 with the reply serial.
    await env.control.send('gw-a', {
      type: 'command',
      commandId: 'c2',
      deviceImei: '13900000060',
      replyTo: 'router-1',
      deadline: Date.now() + 5000,
      command: { kind: 'jt808', type: 'query-location', body: {} },
    });
    const q = await t.nth(4);
    expect(q.packet.header.msgId).toBe(0x8201);
    t.send({
      type: 'location-query-response',
      body: { replySerial: q.packet.header.serial, location: locationBody() },
    } as never);
    const r2 = await waitFor(() => results.find((m) => m.type === 'command-result' && m.commandId === 'c2'), 'c2');
    expect(r2).toMatchObject({ result: { status: 'replied', msgId: 0x0201 } });

    // No answer: timeout at the deadline.
    await env.control.send('gw-a', {
      type: 'command',
      commandId: 'c3',
      deviceImei: '13900000060',
      replyTo: 'router-1',
      deadline: Date.now() + 200,
      command: { kind: 'jt808-text', text: 'nobody answers' },
    });
    const r3 = await waitFor(() => results.find((m) => m.type === 'command-result' && m.commandId === 'c3'), 'c3');
    expect(r3).toMatchObject({ result: { status: 'timeout' } });

    // A device not on this gateway: offline. A command that cannot be encoded: failed.
    await env.control.send('gw-a', {
      type: 'command',
      commandId: 'c4',
      deviceImei: '999',
      replyTo: 'router-1',
      deadline: Date.now() + 5000,
      command: { kind: 'jt808-text', text: 'x' },
    });
    await env.control.send('gw-a', {
      type: 'command',
      commandId: 'c5',
      deviceImei: '13900000060',
      replyTo: 'router-1',
      deadline: Date.now() + 5000,
      command: { kind: 'jt808', type: 'no-such-message', body: {} },
    });
    const r4 = await waitFor(() => results.find((m) => m.type === 'command-result' && m.commandId === 'c4'), 'c4');
    expect(r4).toMatchObject({ result: { status: 'offline' } });
    const r5 = await waitFor(() => results.find((m) => m.type === 'command-result' && m.commandId === 'c5'), 'c5');
    expect(r5).toMatchObject({ result: { status: 'failed', code: 'IOTHUB_ERR_COMMAND_ENCODE' } });
  });
});

describe('shutdown', () => {
  it('close() stops accepting, closes connections, retires the gateway', async () => {
    const env = makeEnv();
    const gw = await gateway(env);
    const t = terminal(gw.port, '013900000070');
    await t.login();
    await waitFor(() => gw.byDevice.get('13900000070'), 'claim');
    expect(await env.routes.isGateAlive('gw-a')).toBe(true);
    const port = gw.port;
    await gw.close();
    await t.waitClosed();
    expect(await env.routes.isGateAlive('gw-a')).toBe(false);
    expect(await env.routes.get('13900000070')).toBeNull();
    const refused = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.on('error', () => resolve(true));
      s.on('connect', () => {
        s.destroy();
        resolve(false);
      });
    });
    expect(refused).toBe(true);
  });
});
