/**
 * Registry lines for terminal → platform messages (except location: see location.ts).
 * Adding a message = one file in this folder + one line here + fixtures.
 */
import { m0001 } from './0001-terminal-general-response.ts';
import { m0002 } from './0002-heartbeat.ts';

export const terminalMessages = [m0001, m0002] as const;
