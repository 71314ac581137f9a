import type { Jt808BodyCodec, Jt808FragmentMessage, Jt808UnknownMessage } from './message.ts';
import { avMessages } from './messages/av.ts';
import { locationMessages } from './messages/location.ts';
import { platformMessages } from './messages/platform.ts';
import { terminalMessages } from './messages/terminal.ts';

/** Every JT/T 808 body codec, in one table keyed by message id. */
export const JT808_CODECS = [...terminalMessages, ...locationMessages, ...platformMessages, ...avMessages] as const;

type AnyListed = (typeof JT808_CODECS)[number];

/** A decoded, known JT/T 808 message: `{ type, msgId, body }`, discriminated by `type`. */
export type Jt808KnownMessage = AnyListed extends infer C
  ? C extends Jt808BodyCodec<infer N, infer B>
    ? { type: N; msgId: number; body: B }
    : never
  : never;

export type Jt808MessageType = Jt808KnownMessage['type'];

/** Body type of the message named `T`. */
export type Jt808BodyOf<T extends Jt808MessageType> = Extract<Jt808KnownMessage, { type: T }>['body'];

/** What the packet decoder yields: a known message, a fragment of a subpackaged one, or unknown (raw kept). */
export type Jt808Message = Jt808KnownMessage | Jt808FragmentMessage | Jt808UnknownMessage;

/**
 * Codecs by message id in two levels of 256 (high byte, low byte): an array lookup on the hot
 * path instead of a Map lookup, which measured as 2–3 % of decoding a 0x0200 frame.
 */
const byId: (Jt808BodyCodec | undefined)[][] = [];
for (let hi = 0; hi < 256; hi++) byId.push(new Array<Jt808BodyCodec | undefined>(256).fill(undefined));
const byType = new Map<string, Jt808BodyCodec>();
for (const c of JT808_CODECS as readonly Jt808BodyCodec[]) {
  const row = byId[c.msgId >> 8]!;
  if (row[c.msgId & 0xff] !== undefined) throw new Error(`duplicate JT/T 808 codec for 0x${c.msgId.toString(16)}`);
  if (byType.has(c.type)) throw new Error(`duplicate JT/T 808 message type ${c.type}`);
  row[c.msgId & 0xff] = c;
  byType.set(c.type, c);
}

export function codecForId(msgId: number): Jt808BodyCodec | undefined {
  if ((msgId & 0xffff) !== msgId) return undefined;
  return byId[msgId >> 8]![msgId & 0xff];
}

export function codecForType(type: string): Jt808BodyCodec | undefined {
  return byType.get(type);
}

/** Message id of a known message type. */
export function msgIdOf(type: Jt808MessageType): number {
  return byType.get(type)!.msgId;
}
