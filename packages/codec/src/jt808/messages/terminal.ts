/**
 * Registry lines for terminal → platform messages (except the location family and the
 * JT/T 1078 / active-safety ones: see location.ts and av.ts).
 * Adding a message = one file in this folder + one import, one export and one entry here + fixtures.
 */

import { m0a00 } from './0a00-terminal-rsa-public-key.ts';
import { m0001 } from './0001-terminal-general-response.ts';
import { m0002 } from './0002-heartbeat.ts';
import { m0003 } from './0003-terminal-logout.ts';
import { m0004 } from './0004-query-server-time.ts';
import { m0100 } from './0100-terminal-register.ts';
import { m0102 } from './0102-terminal-authentication.ts';
import { m0107 } from './0107-terminal-attributes.ts';
import { m0108 } from './0108-upgrade-result.ts';
import { m0701 } from './0701-electronic-waybill.ts';
import { m0702 } from './0702-driver-identity.ts';
import { m0705 } from './0705-can-bus-data.ts';
import { m0800 } from './0800-multimedia-event.ts';
import { m0801 } from './0801-multimedia-data.ts';
import { m0802 } from './0802-stored-multimedia-search-response.ts';
import { m0805 } from './0805-camera-shot-response.ts';
import { m0900 } from './0900-uplink-pass-through.ts';

export * from './0a00-terminal-rsa-public-key.ts';
export * from './0001-terminal-general-response.ts';
export * from './0002-heartbeat.ts';
export * from './0003-terminal-logout.ts';
export * from './0004-query-server-time.ts';
export * from './0100-terminal-register.ts';
export * from './0102-terminal-authentication.ts';
export * from './0107-terminal-attributes.ts';
export * from './0108-upgrade-result.ts';
export * from './0701-electronic-waybill.ts';
export * from './0702-driver-identity.ts';
export * from './0705-can-bus-data.ts';
export * from './0800-multimedia-event.ts';
export * from './0801-multimedia-data.ts';
export * from './0802-stored-multimedia-search-response.ts';
export * from './0805-camera-shot-response.ts';
export * from './0900-uplink-pass-through.ts';

export const terminalMessages = [
  m0001,
  m0002,
  m0003,
  m0004,
  m0100,
  m0102,
  m0107,
  m0108,
  m0701,
  m0702,
  m0705,
  m0800,
  m0801,
  m0802,
  m0805,
  m0900,
  m0a00,
] as const;
