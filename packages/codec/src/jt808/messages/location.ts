/**
 * Registry lines for the location family (0x0200, 0x0201, 0x0500, 0x0704).
 * Adding a message = one file in this folder + one import, one export and one entry here + fixtures.
 */
import { m0200 } from './0200-location-report.ts';
import { m0201 } from './0201-location-query-response.ts';
import { m0500 } from './0500-vehicle-control-response.ts';
import { m0704 } from './0704-location-batch.ts';

export * from '../location/alarm-bits.ts';
export * from '../location/basic.ts';
export * from '../location/items.ts';
export * from '../location/report.ts';
export * from '../location/status-bits.ts';
export * from './0200-location-report.ts';
export * from './0201-location-query-response.ts';
export * from './0500-vehicle-control-response.ts';
export * from './0704-location-batch.ts';

export const locationMessages = [m0200, m0201, m0500, m0704] as const;
