/**
 * The JT/T 808 protocol for `GatewayServer`: framer + session (see session.ts for the reply table).
 */
import type { Protocol } from '../common/protocol.ts';
import { type Jt808Frame, Jt808ProtocolFramer } from './framer.ts';
import { Jt808Session, type Jt808SessionOptions } from './session.ts';

export type { Jt808Frame } from './framer.ts';
export { Jt808ProtocolFramer } from './framer.ts';
export { Jt808Session, type Jt808SessionOptions, type RegistrationPolicy } from './session.ts';

export function jt808Protocol(options: Jt808SessionOptions = {}): Protocol<Jt808Frame> {
  return {
    name: 'jt808',
    createFramer: (o) => new Jt808ProtocolFramer(o),
    createSession: (ctx) => new Jt808Session(ctx, options),
  };
}
