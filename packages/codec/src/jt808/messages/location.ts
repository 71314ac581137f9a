/**
 * Registry lines for the location family (0x0200, 0x0201, 0x0500, 0x0704).
 * Adding a message = one file in this folder + one import, one export and one entry here + fixtures.
 */
export const locationMessages = [] as const;
