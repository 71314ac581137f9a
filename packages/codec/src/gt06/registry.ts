import type { Gt06BodyCodec, Gt06Context, Gt06FrameInfo, Gt06UnknownMessage } from './message.ts';
import { m2aAddressRequest } from './messages/2a-address-request.ts';
import { m8aTimeRequest, m8aTimeResponse } from './messages/8a-time.ts';
import { m9bTransparent } from './messages/9b-transparent.ts';
import { m01Login } from './messages/01-login.ts';
import { m10Gps } from './messages/10-gps.ts';
import { m12Location } from './messages/12-location.ts';
import { m13Heartbeat, m23HeartbeatVoltage } from './messages/13-heartbeat.ts';
import { m16Alarm } from './messages/16-alarm.ts';
import { m17GpsLbsRfid } from './messages/17-gps-lbs-rfid.ts';
import { m19LbsAlarm } from './messages/19-lbs-alarm.ts';
import { m15CommandReplyShort, m21CommandReply } from './messages/21-command-reply.ts';
import { m2cWifiLbs, m28LbsMulti } from './messages/28-lbs-multi.ts';
import { m69WifiBcd, m69WifiBcdReply } from './messages/69-wifi-bcd.ts';
import { m70Modular } from './messages/70-modular.ts';
import { m80OnlineCommand } from './messages/80-online-command.ts';
import { m94ExternalPower, m94Information } from './messages/94-information.ts';
import { m95CameraAlarm } from './messages/95-camera-alarm.ts';
import { m97AddressReply } from './messages/97-address-reply.ts';
import { mGenericAck } from './messages/generic-ack.ts';

/**
 * Every GT06 body codec in one table. For one protocol number, codecs with a `match` are tried
 * in this order, then the generic ack (standard frame, empty content), then the codec without
 * a `match` (at most one per protocol). Adding a message = one file + one entry here + fixtures.
 */
export const GT06_CODECS = [
  m01Login,
  m10Gps,
  m12Location,
  m13Heartbeat,
  m23HeartbeatVoltage,
  m16Alarm,
  m17GpsLbsRfid,
  m69WifiBcdReply,
  m69WifiBcd,
  m97AddressReply,
  m19LbsAlarm,
  m28LbsMulti,
  m2cWifiLbs,
  m2aAddressRequest,
  m8aTimeRequest,
  m8aTimeResponse,
  m80OnlineCommand,
  m21CommandReply,
  m15CommandReplyShort,
  m94ExternalPower,
  m94Information,
  m95CameraAlarm,
  m70Modular,
  m9bTransparent,
  mGenericAck,
] as const;

type AnyListed = (typeof GT06_CODECS)[number];

/** A decoded, known GT06 message: `{ type, protocol, body }`, discriminated by `type`. */
export type Gt06KnownMessage = AnyListed extends infer C
  ? C extends Gt06BodyCodec<infer N, infer B>
    ? { type: N; protocol: number; body: B }
    : never
  : never;

export type Gt06MessageType = Gt06KnownMessage['type'];

/** Body type of the message named `T`. */
export type Gt06BodyOf<T extends Gt06MessageType> = Extract<Gt06KnownMessage, { type: T }>['body'];

/** What the packet decoder yields: a known message or unknown (raw content kept). */
export type Gt06Message = Gt06KnownMessage | Gt06UnknownMessage;

const specific: (Gt06BodyCodec[] | undefined)[] = new Array(256);
const general: (Gt06BodyCodec | undefined)[] = new Array(256);
const byType = new Map<string, Gt06BodyCodec>();
const ACK = mGenericAck as Gt06BodyCodec;

for (const c of GT06_CODECS as readonly Gt06BodyCodec[]) {
  if (byType.has(c.type)) throw new Error(`duplicate GT06 codec type ${c.type}`);
  byType.set(c.type, c);
  if (c === ACK) continue;
  for (const p of c.protocols) {
    if (c.match) {
      let list = specific[p];
      if (!list) {
        list = [];
        specific[p] = list;
      }
      list.push(c);
    } else {
      if (general[p]) throw new Error(`two GT06 codecs without match for 0x${p.toString(16)}`);
      general[p] = c;
    }
  }
}

/** The codec for a frame, or undefined when its protocol / layout has none. */
export function codecForFrame(f: Gt06FrameInfo, ctx: Gt06Context): Gt06BodyCodec | undefined {
  const list = specific[f.protocol];
  if (list !== undefined) {
    for (let i = 0; i < list.length; i++) {
      const c = list[i]!;
      if (c.match!(f, ctx)) return c;
    }
  }
  if (f.clone) return undefined;
  if (f.contentLength === 0) return ACK;
  return general[f.protocol];
}

export function codecForType(type: string): Gt06BodyCodec | undefined {
  return byType.get(type);
}
