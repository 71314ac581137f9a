/**
 * Registry lines for the JT/T 1078 audio/video signalling and the active-safety (Su-biao)
 * attachment messages carried on the 808 link (0x1003–0x1212, 0x9003–0x9212).
 * Adding a message = one file in this folder + one import, one export and one entry here + fixtures.
 */
import { m1003 } from './1003-av-attributes-response.ts';
import { m1005 } from './1005-passenger-flow.ts';
import { m1205 } from './1205-av-resource-list.ts';
import { m1206 } from './1206-file-upload-completion.ts';
import { m1210 } from './1210-alarm-attachment-list.ts';
import { m1211 } from './1211-alarm-file-info.ts';
import { m1212 } from './1212-alarm-file-upload-complete.ts';
import { m9003 } from './9003-query-av-attributes.ts';
import { m9101 } from './9101-live-av-request.ts';
import { m9102 } from './9102-live-av-control.ts';
import { m9105 } from './9105-live-av-status.ts';
import { m9201 } from './9201-playback-request.ts';
import { m9202 } from './9202-playback-control.ts';
import { m9205 } from './9205-query-av-resources.ts';
import { m9206 } from './9206-file-upload-command.ts';
import { m9207 } from './9207-file-upload-control.ts';
import { m9208 } from './9208-alarm-attachment-upload-request.ts';
import { m9212 } from './9212-alarm-file-upload-complete-response.ts';

export * from './1003-av-attributes-response.ts';
export * from './1005-passenger-flow.ts';
export * from './1205-av-resource-list.ts';
export * from './1206-file-upload-completion.ts';
export * from './1210-alarm-attachment-list.ts';
export * from './1211-alarm-file-info.ts';
export * from './1212-alarm-file-upload-complete.ts';
export * from './9003-query-av-attributes.ts';
export * from './9101-live-av-request.ts';
export * from './9102-live-av-control.ts';
export * from './9105-live-av-status.ts';
export * from './9201-playback-request.ts';
export * from './9202-playback-control.ts';
export * from './9205-query-av-resources.ts';
export * from './9206-file-upload-command.ts';
export * from './9207-file-upload-control.ts';
export * from './9208-alarm-attachment-upload-request.ts';
export * from './9212-alarm-file-upload-complete-response.ts';
export { type AvAlarmFlags, avAlarmFlags, avAlarmFlagsFromHalves } from './av-fields.ts';

export const avMessages = [
  m1003,
  m1005,
  m1205,
  m1206,
  m1210,
  m1211,
  m1212,
  m9003,
  m9101,
  m9102,
  m9105,
  m9201,
  m9202,
  m9205,
  m9206,
  m9207,
  m9208,
  m9212,
] as const;
