/**
 * Registry lines for terminal → platform messages (except the location family and the
 * JT/T 1078 / active-safety ones: see location.ts and av.ts).
 * Adding a message = one file in this folder + one import, one export and one entry here + fixtures.
 */
import { m0001 } from './0001-terminal-general-response.ts';
import { m0002 } from './0002-heartbeat.ts';

export * from './0001-terminal-general-response.ts';
export * from './0002-heartbeat.ts';

export const terminalMessages = [m0001, m0002] as const;
