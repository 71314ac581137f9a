/**
 * The Jimi profile: event kind → endpoint mapper (one module per endpoint). Kinds absent from the
 * table (`register`, `auth`, `command-reply`, `unknown`) are not pushed: the hub has no endpoint
 * for them (command replies reach the SaaS through the instruction server's `instruct-result`).
 */
import type { EventKind, UplinkEvent } from '@iothub/core';
import type { JimiMapper, JimiRecord } from './common.ts';
import { pushalarm } from './pushalarm.ts';
import { pushevent } from './pushevent.ts';
import { pushfileupload } from './pushfileupload.ts';
import { pushftpfileupload } from './pushftpfileupload.ts';
import { pushgps } from './pushgps.ts';
import { pushhb } from './pushhb.ts';
import { pushInstructResponse } from './pushinstructresponse.ts';
import { pushIothubEvent } from './pushiothubevent.ts';
import { pushlbs } from './pushlbs.ts';
import { pushPassThroughData } from './pushpassthroughdata.ts';
import { pushresourcelist } from './pushresourcelist.ts';
import { pushTerminalTransInfo } from './pushterminaltransinfo.ts';

export * from './common.ts';

const info: JimiMapper = (e) => (e.type === 'file-upload-completion' ? pushftpfileupload(e) : { skip: 'info' });
const transparent: JimiMapper = (e) => (e.protocol === 'jt808' ? pushTerminalTransInfo(e) : pushPassThroughData(e));

export const JIMI_MAPPERS: Readonly<Partial<Record<EventKind, JimiMapper>>> = {
  session: pushevent,
  heartbeat: pushhb,
  location: pushgps,
  alarm: pushalarm,
  lbs: pushlbs,
  wifi: pushlbs,
  'instruct-result': pushInstructResponse,
  multimedia: pushfileupload,
  'resource-list': pushresourcelist,
  info,
  attachment: pushIothubEvent,
  transparent,
};

/** The kinds the Jimi profile subscribes to. */
export const JIMI_KINDS = Object.keys(JIMI_MAPPERS) as EventKind[];

/** Map one event; `{ skip }` when the Jimi interface has nothing for it. Throws DispatchError on bad values. */
export function mapJimi(event: UplinkEvent): JimiRecord | { skip: string } {
  const mapper = JIMI_MAPPERS[event.kind];
  return mapper === undefined ? { skip: event.kind } : mapper(event);
}
