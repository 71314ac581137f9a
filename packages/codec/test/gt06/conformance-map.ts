import type { gt06 } from './gt06.ts';

/**
 * traccar attributes → our GT06 model (used by conformance.test.ts).
 *
 * Each extractor returns the value our decoded message holds for the attribute, or `NO_EQUIV`
 * when our model has no equivalent (the protocol is decoded as `unknown`, or the value sits in a
 * tail we keep raw). traccar units: power / battery in volts, batteryLevel in %, hours in ms.
 */
export const NO_EQUIV = Symbol('no equivalent');
export type Extracted = unknown | typeof NO_EQUIV;

type Msg = gt06.Gt06Message;

/** traccar alarm names → the names our tables give (documents first, §7). */
export const ALARM_NAMES: Record<string, readonly string[]> = {
  sos: ['sos'],
  // traccar maps 0x0C (power on in the documents), 0x13, 0x25 and 0x32 (unplugged) to tampering.
  tampering: ['tamper', 'powerOn', 'unplugged'],
  lowBattery: ['externalBatteryLow', 'externalBatteryProtection', 'internalBatteryLow', 'lowBattery'],
  // Terminal-information bits 111, or 0x18 cover opened.
  removing: ['removing', 'coverOpened'],
  hardAcceleration: ['harshAcceleration'],
  hardBraking: ['harshBraking'],
  accident: ['collision'],
  // traccar names the 0x95 short form's event 0x01 "general" (§5.12 lists 0x01 as SOS).
  general: ['sos'],
  powerCut: ['powerCut'],
  vibration: ['vibration'],
};

/** Alarm names our decoded message carries (alarm code and the terminal-information bits). */
export function alarmsOf(m: Msg): string[] | typeof NO_EQUIV {
  const out: string[] = [];
  const info = (t: gt06.Gt06TerminalInfo) => {
    if (t.alarm !== 'normal') out.push(t.alarm);
  };
  switch (m.type) {
    case 'alarm':
      if (m.body.layout === 'vxt01') info(m.body.terminalInfo);
      else {
        if (m.body.status.alarm) out.push(m.body.status.alarm);
        info(m.body.status.terminalInfo);
      }
      return out;
    case 'lbs-alarm':
      if (m.body.status.alarm) out.push(m.body.status.alarm);
      info(m.body.status.terminalInfo);
      return out;
    case 'heartbeat':
      info(m.body.terminalInfo);
      return out;
    case 'location':
      if (m.body.layout === 'nt' && m.body.alarm) out.push(m.body.alarm);
      return out;
    case 'camera-alarm':
      if (m.body.eventName) out.push(m.body.eventName);
      return out;
    default:
      return NO_EQUIV;
  }
}

/** External power in volts. */
function power(m: Msg): Extracted {
  switch (m.type) {
    case 'heartbeat': {
      const b = m.body;
      if (b.layout === 'r11' || b.layout === 'lw' || b.layout === 'seeworld' || b.layout === 'obd6') return b.power;
      // The standard heartbeat has no power field: traccar asserts its absence (null).
      return b.layout === 'standard' ? null : NO_EQUIV;
    }
    case 'heartbeat-voltage':
      return m.body.voltage;
    case 'external-power':
      return m.body.voltage;
    case 'information':
      return m.body.content.kind === 'external-voltage' || m.body.content.kind === 'power'
        ? m.body.content.voltage
        : NO_EQUIV;
    case 'location':
      return m.body.layout === 'nt' ? m.body.power : NO_EQUIV;
    case 'alarm':
      return m.body.layout === 'vxt01' ? m.body.power : NO_EQUIV;
    default:
      return NO_EQUIV;
  }
}

function batteryLevel(m: Msg): Extracted {
  switch (m.type) {
    case 'alarm':
      return m.body.layout === 'standard' ? (m.body.status.batteryPercent ?? NO_EQUIV) : NO_EQUIV;
    case 'lbs-alarm':
      return m.body.status.batteryPercent ?? NO_EQUIV;
    case 'heartbeat': {
      const b = m.body;
      if (b.layout === 'obd6' || b.layout === 'extended') return b.batteryPercent;
      if (b.layout === 'standard' || b.layout === 'lw' || b.layout === 'seeworld') return b.batteryPercent ?? NO_EQUIV;
      return NO_EQUIV;
    }
    default:
      return NO_EQUIV;
  }
}

function hexOf(b: Buffer): string {
  return b.toString('hex');
}

/** traccar's 0x9B rule: printable content as trimmed text, anything else as hex. */
function transparentResult(data: Buffer): string {
  for (const b of data) {
    if (!((b >= 0x20 && b < 0x7f) || b === 0x0d || b === 0x0a)) return hexOf(data);
  }
  return data.toString('latin1').trim();
}

export const ATTRIBUTES: Record<string, (m: Msg) => Extracted> = {
  alarm: alarmsOf,
  power,
  batteryLevel,
  battery: (m) =>
    m.type === 'location' && m.body.layout === 'nt'
      ? m.body.battery
      : m.type === 'modular'
        ? (m.body.battery ?? NO_EQUIV)
        : NO_EQUIV,
  iccid: (m) =>
    m.type === 'command-reply-short'
      ? (m.body.iccid ?? NO_EQUIV)
      : m.type === 'information' && m.body.content.kind === 'iccid'
        ? m.body.content.iccid
        : NO_EQUIV,
  door: (m) => (m.type === 'information' && m.body.content.kind === 'door' ? m.body.content.door : NO_EQUIV),
  ignition: (m) => {
    if (m.type === 'location' && m.body.layout === 'standard') return m.body.acc ?? m.body.gps.acc ?? NO_EQUIV;
    if (m.type === 'alarm' && m.body.layout === 'vxt01') return m.body.terminalInfo.acc;
    return NO_EQUIV;
  },
  result: (m) =>
    m.type === 'transparent'
      ? transparentResult(m.body.data)
      : m.type === 'command-reply' || m.type === 'command-reply-short'
        ? m.body.text
        : NO_EQUIV,
  driverUniqueId: (m) => {
    if (m.type === 'gps-lbs-rfid') return hexOf(m.body.rfid);
    if (m.type === 'information' && m.body.content.kind === 'rfid-card') return hexOf(m.body.content.id);
    if (m.type === 'location' && m.body.layout === 'nt' && m.body.driverId) return hexOf(m.body.driverId);
    return NO_EQUIV;
  },
  // traccar sets `event` to alarm codes it has no name for (VL models) and to the 0x95 / 0x70 event byte.
  event: (m) =>
    m.type === 'alarm' && m.body.layout === 'standard'
      ? m.body.status.alarmCode
      : m.type === 'camera-alarm'
        ? m.body.event
        : m.type === 'modular'
          ? (m.body.event ?? NO_EQUIV)
          : NO_EQUIV,
  eventFiles: (m) => (m.type === 'camera-alarm' && m.body.layout !== 'short' ? m.body.files.join(',') : NO_EQUIV),
  networkTechnology: (m) =>
    m.type === 'information' && m.body.content.kind === 'network-generation'
      ? m.body.content.value > 0
        ? '4G'
        : '2G'
      : NO_EQUIV,
  serial: (m) =>
    m.type === 'information' && m.body.content.kind === 'rfid-text' ? m.body.content.text.trim() : NO_EQUIV,
  humidity: (m) =>
    m.type === 'information' && m.body.content.kind === 'temperature-humidity' ? m.body.content.humidity : NO_EQUIV,
  hours: (m) => (m.type === 'location' && m.body.layout === 'nt' ? m.body.hoursMinutes * 60_000 : NO_EQUIV),
  temp1: (m) =>
    m.type === 'heartbeat' && (m.body.layout === 'obd6' || m.body.layout === 'extended')
      ? (m.body.temperature ?? NO_EQUIV)
      : NO_EQUIV,
};

/** A position our message carries (GPS block, NT GPS block, or a parsed command-reply text). */
export interface Pos {
  latitude: number;
  longitude: number;
  speed: number;
  course: number;
  time: Date | null;
  valid?: boolean;
}

export function positionOf(m: Msg): Pos | undefined {
  switch (m.type) {
    case 'gps':
    case 'location':
    case 'alarm':
    case 'gps-lbs-rfid':
      return { ...m.body.gps, valid: m.body.gps.positioned };
    case 'command-reply':
      return m.body.position;
    case 'camera-alarm':
      return m.body.layout === 'short'
        ? undefined
        : { ...m.body, speed: m.body.layout === 'jc400' ? m.body.speed : 0, valid: m.body.positioned };
    case 'modular':
      return m.body.position ? { ...m.body.position, valid: m.body.position.positioned } : undefined;
    default:
      return undefined;
  }
}

/** Message types that are position reports (traccar `verifyNull` rows must not decode to one). */
export const POSITION_TYPES = new Set(['gps', 'location', 'alarm', 'gps-lbs-rfid', 'camera-alarm', 'modular']);

/** traccar commands → our 0x80 command text (T-ENC defaults). */
export const COMMANDS: Record<string, string> = { engineStop: 'Relay,1#', engineResume: 'Relay,0#' };
