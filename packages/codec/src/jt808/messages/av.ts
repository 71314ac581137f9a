/**
 * Registry lines for the JT/T 1078 audio/video signalling and the active-safety (Su-biao)
 * attachment messages carried on the 808 link (0x1003–0x1212, 0x9003–0x9212).
 * Adding a message = one file in this folder + one import, one export and one entry here + fixtures.
 */
export const avMessages = [] as const;
