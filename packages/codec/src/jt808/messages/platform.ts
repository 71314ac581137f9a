/**
 * Registry lines for platform → terminal messages (0x8xxx, 0x9xxx).
 * Adding a message = one file in this folder + one line here + fixtures.
 */
import { m8001 } from './8001-platform-general-response.ts';

export const platformMessages = [m8001] as const;
