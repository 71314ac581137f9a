/**
 * The router's command lifecycle with the in-memory route table and control channel: every path
 * ends in exactly one outcome (issue #4: "every command ends in a reply, a timeout, or a clear
 * failure code"). The gateway side here is a control-channel listener that answers as a gateway
 * does (or never); the end-to-end runs with real gateways are in instruction-server/test/api.test.ts.
 */
import {
  type CommandResult,
  type ControlChannel,
  type ControlMessage,
  MemoryControlChannel,
  MemoryRouteTable,
  type RouteEntry,
} from '@iothub/core';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryDeviceLock } from '../src/lock.ts';
import { Router, type RouterOptions } from '../src/router.ts';

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

async function world(options: Partial<RouterOptions> = {}) {
  const routes = new MemoryRouteTable();
  const control = new MemoryControlChannel();
  const lock = new MemoryDeviceLock();
  const router = new Router({ routes, control, lock, gateCheckMs: 20, ...options });
  await router.start();
  closers.push(() => router.close());
  const received: Extract<ControlMessage, { type: 'command' }>[] = [];
  /** A gateway at `gateId` holding `imei`; `answer` decides its result (undefined: never answers). */
  const gateway = async (
    gateId: string,
    imei: string,
    answer?: (m: Extract<ControlMessage, { type: 'command' }>) => CommandResult,
  ) => {
    await routes.announceGate(gateId, 60_000);
    const entry: RouteEntry = {
      deviceImei: imei,
      gateId,
      connId: 'c1',
      protocol: 'jimi',
      remoteAddress: '127.0.0.1',
      since: Date.now(),
    };
    await routes.claim(entry, 60_000);
    const unlisten = await control.listen(gateId, (m) => {
      if (m.type !== 'command') return;
      received.push(m);
      if (answer) void control.send(m.replyTo, { type: 'command-result', commandId: m.commandId, result: answer(m) });
    });
    closers.push(unlisten);
  };
  return { routes, control, lock, router, gateway, received };
}

const TEXT = { kind: 'jimi-text', text: 'STATUS#' } as const;

describe('Router', () => {
  it('no route → offline (NO_ROUTE), nothing sent', async () => {
    const w = await world();
    const o = await w.router.send('861', TEXT, { timeoutMs: 1000 });
    expect(o).toMatchObject({ status: 'offline', code: 'IOTHUB_ERR_ROUTER_NO_ROUTE', route: null });
  });

  it('delivers to the gateway holding the device with a deadline and its own reply address; the answer ends it', async () => {
    const w = await world();
    await w.gateway('g1', '862', () => ({
      status: 'replied',
      reply: { text: 'OK!' },
      msgId: 0x21,
      receivedAt: '2026-01-01T00:00:00.000Z',
    }));
    const o = await w.router.send('862', TEXT, { timeoutMs: 5000 });
    expect(o).toMatchObject({
      status: 'replied',
      code: null,
      reply: { text: 'OK!' },
      msgId: 0x21,
      route: { gateId: 'g1' },
    });
    expect(w.received[0]).toMatchObject({ deviceImei: '862', replyTo: w.router.address, command: TEXT });
    expect(w.received[0]?.deadline).toBeGreaterThan(Date.now());
    expect(await w.lock.held('862')).toBe(0);
  });

  it('maps the gateway results: offline, busy, timeout, failed (with the gateway code)', async () => {
    const cases: [CommandResult, string, string | null][] = [
      [{ status: 'offline' }, 'offline', 'IOTHUB_ERR_ROUTER_DEVICE_OFFLINE'],
      [{ status: 'busy' }, 'busy', 'IOTHUB_ERR_ROUTER_BUSY'],
      [{ status: 'timeout' }, 'timeout', 'IOTHUB_ERR_ROUTER_TIMEOUT'],
      [
        { status: 'failed', code: 'IOTHUB_ERR_COMMAND_ENCODE', message: 'too long' },
        'failed',
        'IOTHUB_ERR_ROUTER_GATEWAY_FAILED',
      ],
      [{ status: 'sent' }, 'sent', null],
    ];
    for (const [result, status, code] of cases) {
      const w = await world();
      await w.gateway('g1', '863', () => result);
      const o = await w.router.send('863', TEXT, { timeoutMs: 5000 });
      expect(o.status).toBe(status);
      expect(o.code).toBe(code);
      if (result.status === 'failed') expect(o.gatewayCode).toBe('IOTHUB_ERR_COMMAND_ENCODE');
    }
  });

  it('a device that never answers → timeout; a late answer afterwards is ignored; the slot is free again', async () => {
    const w = await world();
    await w.gateway('g1', '864');
    const o = await w.router.send('864', TEXT, { timeoutMs: 50 });
    expect(o).toMatchObject({ status: 'timeout', code: 'IOTHUB_ERR_ROUTER_TIMEOUT' });
    const m = w.received[0];
    if (!m) throw new Error('no command');
    await w.control.send(m.replyTo, { type: 'command-result', commandId: m.commandId, result: { status: 'offline' } });
    expect(await w.lock.held('864')).toBe(0);
    expect(w.router.pending).toBe(0);
  });

  it('one outstanding command per device (busy), configurable, across router instances', async () => {
    const w = await world();
    await w.gateway('g1', '865');
    const first = w.router.send('865', TEXT, { timeoutMs: 200 });
    const other = new Router({ routes: w.routes, control: w.control, lock: w.lock });
    closers.push(() => other.close());
    expect(await other.send('865', TEXT, { timeoutMs: 200 })).toMatchObject({
      status: 'busy',
      code: 'IOTHUB_ERR_ROUTER_BUSY',
    });
    expect((await first).status).toBe('timeout');

    const two = await world({ maxOutstandingPerDevice: 2 });
    await two.gateway('g2', '866');
    const a = two.router.send('866', TEXT, { timeoutMs: 100 });
    const b = two.router.send('866', TEXT, { timeoutMs: 100 });
    const c = await two.router.send('866', TEXT, { timeoutMs: 100 });
    expect(c.status).toBe('busy');
    expect([(await a).status, (await b).status]).toEqual(['timeout', 'timeout']);
  });

  it('the gateway stops announcing itself while a command waits → failed (GATEWAY_GONE) before the timeout', async () => {
    const w = await world();
    await w.gateway('g1', '867');
    const pending = w.router.send('867', TEXT, { timeoutMs: 60_000 });
    await waitFor(() => w.received.length === 1);
    await w.routes.retireGate('g1');
    expect(await pending).toMatchObject({ status: 'failed', code: 'IOTHUB_ERR_ROUTER_GATEWAY_GONE' });
  });

  it('control channel failure → failed (TRANSPORT); a command the factory refuses → failed (COMMAND)', async () => {
    const base = new MemoryControlChannel();
    const broken: ControlChannel = {
      listen: (a, h) => base.listen(a, h),
      send: async () => {
        throw new Error('redis down');
      },
      close: () => base.close(),
    };
    const w = await world({ control: broken });
    await w.routes.announceGate('g1', 60_000);
    await w.routes.claim(
      { deviceImei: '868', gateId: 'g1', connId: 'c', protocol: 'jimi', remoteAddress: '', since: 0 },
      60_000,
    );
    expect(await w.router.send('868', TEXT, { timeoutMs: 60_000 })).toMatchObject({
      status: 'failed',
      code: 'IOTHUB_ERR_ROUTER_TRANSPORT',
    });
    expect(await w.lock.held('868')).toBe(0);
    const refused = await w.router.send(
      '868',
      () => {
        throw new Error('proNo: not for jimi');
      },
      { timeoutMs: 1000 },
    );
    expect(refused).toMatchObject({
      status: 'failed',
      code: 'IOTHUB_ERR_ROUTER_COMMAND',
      message: 'proNo: not for jimi',
    });
  });

  it('close() ends every pending command (CLOSED) and later sends fail at once', async () => {
    const w = await world();
    await w.gateway('g1', '869');
    const pending = w.router.send('869', TEXT, { timeoutMs: 60_000 });
    await waitFor(() => w.received.length === 1);
    await w.router.close();
    expect(await pending).toMatchObject({ status: 'failed', code: 'IOTHUB_ERR_ROUTER_CLOSED' });
    expect(await w.router.send('869', TEXT, { timeoutMs: 1000 })).toMatchObject({ code: 'IOTHUB_ERR_ROUTER_CLOSED' });
  });
});

async function waitFor(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
  if (!cond()) throw new Error('condition not reached');
}
