/**
 * Registry lines for platform → terminal messages of JT/T 808 proper (0x8xxx), and 0x0104.
 * Adding a message = one file in this folder + one import, one export and one entry here + fixtures.
 */
import { m8001 } from './8001-platform-general-response.ts';

export * from './8001-platform-general-response.ts';

export const platformMessages = [m8001] as const;
