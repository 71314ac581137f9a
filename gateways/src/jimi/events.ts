/**
 * Decoded GT06 message → uplink event kind and data (docs/events.md). One table-like switch,
 * exhaustive over the codec's message types (a new codec type fails to compile here until it is
 * given a kind).
 *
 * Data shapes: the decoded body in JSON form (`toEventData`), with the GPS block lifted to the top
 * level for positions (`latitude`, `longitude`, `speed`, `course`, `time`, `satellites`,
 * `positioned`, ...) and the alarm status word lifted for alarms (`alarmCode`, `alarm`,
 * `terminalInfo`, ...), so a consumer reads the same field names for every Jimi position.
 */
import type { gt06 } from '@iothub/codec';
import { type EventKind, toEventData } from '@iothub/core';

export interface EventShape {
  kind: EventKind;
  data: Record<string, unknown>;
  /** The message's own time, when it has one. */
  deviceTime?: Date | null;
}

function json(value: unknown): Record<string, unknown> {
  const v = toEventData(value);
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : { value: v };
}

/** `{ ...rest, ...gps }` with `gps` and (when given) `status` lifted to the top level. */
function lift(body: object, gps: gt06.Gt06Gps | undefined, status?: gt06.Gt06AlarmStatus): Record<string, unknown> {
  const { gps: _gps, status: _status, ...rest } = body as { gps?: unknown; status?: unknown };
  const out = json(rest);
  if (status) Object.assign(out, json(status));
  if (gps) Object.assign(out, json(gps));
  return out;
}

/** Kind and data of a message received after login (login, time request and acks are handled by the session). */
export function eventShape(message: gt06.Gt06Message): EventShape {
  switch (message.type) {
    case 'login':
      return { kind: 'session', data: json(message.body) };
    case 'heartbeat':
    case 'heartbeat-voltage':
      return { kind: 'heartbeat', data: json(message.body) };
    case 'location': {
      const b = message.body;
      const data = lift(b, b.gps);
      data.reupload = b.layout === 'standard' ? (b.reupload ?? false) : false;
      return { kind: 'location', data, deviceTime: b.layout === 'nt' ? (b.deviceTime ?? b.gps.time) : b.gps.time };
    }
    case 'gps': {
      // 0x10 / clone 0x11: the clone firmware sends 0x11 for buffered ("GPS offline") points (D9).
      const data = lift(message.body, message.body.gps);
      data.reupload = message.protocol === 0x11;
      return { kind: 'location', data, deviceTime: message.body.gps.time };
    }
    case 'gps-lbs-rfid': {
      const data = lift(message.body, message.body.gps);
      data.reupload = false;
      return { kind: 'location', data, deviceTime: message.body.gps.time };
    }
    case 'alarm': {
      const b = message.body;
      const data = b.layout === 'standard' ? lift(b, b.gps, b.status) : lift(b, b.gps);
      return { kind: 'alarm', data, deviceTime: b.gps.time };
    }
    case 'lbs-alarm':
      return { kind: 'alarm', data: lift(message.body, undefined, message.body.status), deviceTime: null };
    case 'camera-alarm': {
      const data = json(message.body);
      const b = message.body;
      if (b.eventName !== undefined) data.alarm = b.eventName;
      data.alarmCode = b.event;
      return { kind: 'alarm', data, deviceTime: b.time };
    }
    case 'lbs-multi':
      return { kind: 'lbs', data: json(message.body), deviceTime: message.body.time };
    case 'wifi-lbs':
      return { kind: 'wifi', data: json(message.body), deviceTime: message.body.time };
    case 'wifi-bcd': {
      // Clone form: 0x69 online, 0x17 buffered / offline (§8.6).
      const data = json(message.body);
      data.reupload = message.protocol === 0x17;
      return { kind: 'wifi', data, deviceTime: message.body.time };
    }
    case 'address-request':
      return { kind: 'info', data: lift(message.body, message.body.gps), deviceTime: message.body.gps.time };
    case 'command-reply':
    case 'command-reply-short':
      return { kind: 'command-reply', data: json(message.body) };
    case 'transparent':
      return { kind: 'transparent', data: json(message.body) };
    case 'information':
    case 'external-power':
      return { kind: 'info', data: json(message.body) };
    case 'modular': {
      const b = message.body;
      if (!b.position) return { kind: 'info', data: json(b) };
      const { position, ...rest } = b;
      const data = { ...json(rest), ...json(position), reupload: false };
      return { kind: 'location', data, deviceTime: position.time };
    }
    case 'time-request':
    case 'ack':
      return { kind: 'info', data: {} };
    // Server → device types sent by a device: kept as unknown with their body.
    case 'time-response':
    case 'online-command':
    case 'address-reply':
    case 'wifi-bcd-reply':
      return {
        kind: 'unknown',
        data: { reason: { code: 'IOTHUB_ERR_JIMI_UNEXPECTED', detail: message.type }, body: json(message.body) },
      };
    case 'unknown':
      return { kind: 'unknown', data: { reason: json(message.reason), body: toEventData(message.body) } };
    default:
      return assertNever(message);
  }
}

function assertNever(value: never): never {
  throw new Error(`unhandled GT06 message ${JSON.stringify(value)}`);
}
