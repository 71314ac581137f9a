/**
 * The Jimi / GT06 protocol for the gateway runtime (`GatewayServer`): the codec's framer and
 * packet decoder (`framer.ts`) and the per-connection session (`session.ts`).
 *
 *   new GatewayServer({ protocol: jimiProtocol({ ackLocations: false }), ... })
 */
import type { gt06 } from '@iothub/codec';
import type { Protocol, SessionContext } from '../common/protocol.ts';
import { type JimiFrame, JimiFramer } from './framer.ts';
import { JimiSession, type JimiSessionOptions } from './session.ts';

export { type EventShape, eventShape } from './events.ts';
export { type JimiFrame, JimiFramer, type JimiFramerOptions } from './framer.ts';
export { JimiSession, type JimiSessionOptions } from './session.ts';

export interface JimiProtocolOptions extends JimiSessionOptions {
  /** Drop frames with a wrong CRC-16/X-25 instead of delivering them flagged (§2.3). Default false. */
  dropBadCrc?: boolean;
  /** Wire time zone of the date-time fields, minutes east of UTC (old firmware sends local time, §8.8). Default 0. */
  timeOffsetMinutes?: number;
  /** Use the time zone each device announces in its login instead (from the login on; `JIMI_TIME_ZONE=login`). */
  timeZoneFromLogin?: boolean;
  /** Device model profile for layout variants the frame cannot tell (codec `models.ts`). */
  model?: string;
}

export function jimiProtocol(options: JimiProtocolOptions = {}): Protocol<JimiFrame> {
  const decode: gt06.Gt06DecodeOptions = {};
  if (options.timeOffsetMinutes !== undefined) decode.timeOffsetMinutes = options.timeOffsetMinutes;
  if (options.model !== undefined) decode.model = options.model;
  const { dropBadCrc, timeOffsetMinutes: _t, timeZoneFromLogin, model: _m, ...sessionOptions } = options;
  return {
    name: 'jimi',
    createFramer({ maxFrameSize }) {
      const framerOptions: ConstructorParameters<typeof JimiFramer>[0] = { maxFrameSize, decode };
      if (dropBadCrc !== undefined) framerOptions.dropBadCrc = dropBadCrc;
      if (timeZoneFromLogin) framerOptions.timeZoneFromLogin = true;
      return new JimiFramer(framerOptions);
    },
    createSession(context: SessionContext) {
      return new JimiSession(context, sessionOptions);
    },
  };
}
