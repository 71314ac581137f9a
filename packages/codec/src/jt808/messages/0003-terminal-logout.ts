import { defineMessage, type EmptyBody } from '../message.ts';

/**
 * 0x0003 Terminal logout (T→P). Empty body in 2011 / 2013 / 2019; answered with 0x8001.
 * The terminal then forgets its auth code and registers again (protocols/jt808-jt1078.md §5.2).
 * Bytes a vendor appends are left unread (the packet layer reports them as trailing).
 */
export type TerminalLogout = EmptyBody;

export const m0003 = defineMessage({
  msgId: 0x0003,
  type: 'terminal-logout',
  direction: 'up',
  decode(): TerminalLogout {
    return {};
  },
  encode() {},
});
