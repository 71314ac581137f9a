/**
 * Registry lines for platform → terminal messages of JT/T 808 proper (0x8xxx), and 0x0104
 * (a terminal message that shares the parameter table of 0x8103, `../params.ts`).
 * Adding a message = one file in this folder + one import, one export and one entry here + fixtures.
 */
import { m0104 } from './0104-query-params-response.ts';
import { m8001 } from './8001-platform-general-response.ts';
import { m8003 } from './8003-resend-subpackage-request.ts';
import { m8004 } from './8004-server-time-response.ts';
import { m8100 } from './8100-register-response.ts';
import { m8103 } from './8103-set-params.ts';
import { m8104 } from './8104-query-all-params.ts';
import { m8105 } from './8105-terminal-control.ts';
import { m8106 } from './8106-query-given-params.ts';
import { m8107 } from './8107-query-attributes.ts';
import { m8201 } from './8201-query-location.ts';
import { m8202 } from './8202-temporary-tracking.ts';
import { m8300 } from './8300-text-message.ts';
import { m8500 } from './8500-vehicle-control.ts';
import { m8800 } from './8800-multimedia-upload-response.ts';
import { m8801 } from './8801-camera-shot-now.ts';
import { m8802 } from './8802-stored-media-search.ts';
import { m8803 } from './8803-stored-media-upload.ts';
import { m8804 } from './8804-start-recording.ts';
import { m8805 } from './8805-single-stored-media.ts';
import { m8900 } from './8900-downlink-pass-through.ts';

export * from '../params.ts';
export * from './0104-query-params-response.ts';
export * from './8001-platform-general-response.ts';
export * from './8003-resend-subpackage-request.ts';
export * from './8004-server-time-response.ts';
export * from './8100-register-response.ts';
export * from './8103-set-params.ts';
export * from './8104-query-all-params.ts';
export * from './8105-terminal-control.ts';
export * from './8106-query-given-params.ts';
export * from './8107-query-attributes.ts';
export * from './8201-query-location.ts';
export * from './8202-temporary-tracking.ts';
export * from './8300-text-message.ts';
export * from './8500-vehicle-control.ts';
export * from './8800-multimedia-upload-response.ts';
export * from './8801-camera-shot-now.ts';
export * from './8802-stored-media-search.ts';
export * from './8803-stored-media-upload.ts';
export * from './8804-start-recording.ts';
export * from './8805-single-stored-media.ts';
export * from './8900-downlink-pass-through.ts';

export const platformMessages = [
  m0104,
  m8001,
  m8003,
  m8004,
  m8100,
  m8103,
  m8104,
  m8105,
  m8106,
  m8107,
  m8201,
  m8202,
  m8300,
  m8500,
  m8801,
  m8802,
  m8803,
  m8804,
  m8805,
  m8800,
  m8900,
] as const;
