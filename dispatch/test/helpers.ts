import { type Bus, createLogger, type MemoryBus, Registry, type UplinkEvent } from '@iothub/core';
import { Dispatcher, type DispatcherOptions } from '../src/index.ts';

let seq = 0;

export function makeEvent(
  kind: UplinkEvent['kind'],
  deviceImei: string,
  data: Record<string, unknown>,
  extra: Partial<UplinkEvent> = {},
): UplinkEvent {
  seq++;
  return {
    v: 1,
    id: `test:${seq}`,
    kind,
    deviceImei,
    protocol: 'jt808',
    gateId: 'gw-test',
    connId: 'c1',
    receivedAt: '2026-05-01T08:00:02.000Z',
    msgId: 0x0200,
    serial: seq & 0xffff,
    type: 'location-report',
    data,
    ...extra,
  };
}

export async function publishEvents(bus: Bus, prefix: string, events: UplinkEvent[]): Promise<void> {
  await bus.publish(
    events.map((e) => ({ topic: `${prefix}.${e.kind}`, key: e.deviceImei, value: Buffer.from(JSON.stringify(e)) })),
  );
}

export function dispatcher(bus: MemoryBus, pushUrl: string, over: Partial<DispatcherOptions> = {}): Dispatcher {
  return new Dispatcher({ ...dispatcherOptions(bus), pushUrl, ...over });
}

/** The test defaults (receiver URL still to be set). */
export function dispatcherOptions(bus: MemoryBus): DispatcherOptions {
  return {
    bus,
    topicPrefix: 'iothub',
    groupId: 'dispatch-test',
    pushUrl: null,
    pushToken: 'tok-123',
    offlineCmdPushUrl: null,
    offlineCmdPushToken: null,
    profile: 'jimi',
    batchSize: 50,
    concurrency: 8,
    retryBudgetMs: 3_600_000,
    backoffMinMs: 5,
    backoffMaxMs: 50,
    breakerFailures: 5,
    breakerOpenMs: 20,
    requestTimeoutMs: 2_000,
    hmacSecret: null,
    registry: new Registry(),
    logger: createLogger({ level: 'silent', service: 'dispatch' }),
  };
}

/** A position event with a per-device sequence number in `serial` (for order checks). */
export function location(imei: string, n: number): UplinkEvent {
  return makeEvent(
    'location',
    imei,
    { latitude: 22.5, longitude: 114.1, speed: 40, course: 90, altitude: 10, status: 3, alarm: 0, items: [] },
    { serial: n, deviceTime: `2026-05-01T08:00:${String(n % 60).padStart(2, '0')}.000Z`, id: `${imei}:${n}` },
  );
}

export function dlqMessages(bus: MemoryBus, prefix = 'iothub'): Record<string, unknown>[] {
  return bus.messages(`${prefix}.push.dlq`).map((m) => JSON.parse(m.value.toString()) as Record<string, unknown>);
}
