/**
 * Uplink events: what gateways publish to the bus for every decoded device message
 * (docs/events.md). Versioned: consumers check `v`; a breaking change bumps it.
 *
 * Topic: `${TOPIC_PREFIX}.${kind}` (e.g. `iothub.location`); key: `deviceImei`, so the order of one
 * device's events holds within a partition.
 */
export const EVENT_VERSION = 1 as const;

export const EVENT_KINDS = [
  'session', // login / logout / connection closed
  'register', // JT/T 808 0x0100 registration
  'auth', // JT/T 808 0x0102 authentication
  'heartbeat',
  'location', // one position; batch items (0x0704, Jimi re-uploads) carry `reupload: true`
  'alarm',
  'lbs', // cell-tower data
  'wifi', // WiFi access points
  'command-reply', // a device's answer to a downlink command
  'transparent', // pass-through / transparent data
  'multimedia', // 0x0800 / 0x0801 multimedia (file stored by the gateway)
  'resource-list', // JT/T 1078 0x1205
  'attachment', // active-safety attachments (0x1210–0x1212)
  'info', // other decoded device information (attributes, parameters, driver id, ...)
  'instruct-result', // an API command's outcome delivered later (async sendInstruct, offline command): published by the instruction server
  'unknown', // a message the codec does not know: raw bytes kept
] as const;

export type EventKind = (typeof EVENT_KINDS)[number];
export type DeviceProtocol = 'jt808' | 'jimi';

export interface UplinkEvent {
  v: typeof EVENT_VERSION;
  /** Unique and stable per received message (gateId, connection, sequence): consumers deduplicate on it. */
  id: string;
  kind: EventKind;
  deviceImei: string;
  protocol: DeviceProtocol;
  /** JT/T 808 edition (2011 / 2013 / 2019) or the Jimi frame form. */
  protocolVersion?: string;
  gateId: string;
  /** Connection id on that gateway. */
  connId: string;
  /** When the gateway received the message, ISO 8601 UTC. */
  receivedAt: string;
  /** Device time of the message (position time, alarm time) when it has one, ISO 8601 UTC. */
  deviceTime?: string | null;
  /** JT/T 808 message id or Jimi protocol number. */
  msgId: number;
  /** The device's serial number of the message, when it has one. */
  serial?: number;
  /** Codec message type (`location-report`, `login`, ...). */
  type: string;
  /** Kind-specific data in JSON form (bytes as hex, instants as ISO strings, 64-bit words as strings). */
  data: Record<string, unknown>;
  /** The frame as received (unescaped), hex, for re-decoding later; omitted when disabled. */
  raw?: string;
}

/** JSON form of decoded codec values (Buffer → hex, Date → ISO, bigint → string). */
export function toEventData(value: unknown): unknown {
  if (value === null || value === undefined) return value ?? null;
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex');
  if (Array.isArray(value)) return value.map(toEventData);
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) if (v !== undefined) out[k] = toEventData(v);
    return out;
  }
  return value;
}

export function topicFor(prefix: string, kind: EventKind): string {
  return `${prefix}.${kind}`;
}
