import { decodeGbk, encodeGbk, trimPadEnd } from '../../core/text.ts';
import { defineMessage } from '../message.ts';

/**
 * 0x8105 Terminal control (P→T), acknowledged with 0x0001. Same layout in 2011 / 2013 / 2019.
 *
 * | field   | type   | notes                                                          |
 * |---------|--------|----------------------------------------------------------------|
 * | command | BYTE   | see `TerminalControlCommand`                                    |
 * | params  | STRING | GBK, to the end of the body; only commands 1 and 2 carry one    |
 *
 * Command parameters (JT/T 808-2013 0x8105 command table and command-parameter table; fields separated by half-width `;`,
 * an empty value is left empty):
 * - 1 wireless upgrade: `URL;APN;dial user;dial password;address;TCP port;UDP port;
 *   manufacturer id;hardware version;firmware version;connect time limit (min)`
 * - 2 connect to a given server: `connection control;supervision auth code;APN;dial user;
 *   dial password;address;TCP port;UDP port;connect time limit (min)`; with connection
 *   control 1 (back to the default platform) nothing follows.
 * The body keeps the params string as sent; `parseUpgradeParams` / `parseConnectServerParams`
 * split it and `formatUpgradeParams` / `formatConnectServerParams` build it.
 * Some implementations write the ports as binary WORDs and the manufacturer id as BYTE[5]
 * inside the string (the spec's parameter table gives those types; SmallChi's serializer
 * does it): such params do not survive GBK text, so the bytes are then also kept in
 * `paramsRaw` and written back unchanged.
 * Field order confirmed against SmallChi `JT808_0x8105.cs` and several platform front-ends.
 */
export interface TerminalControl {
  command: number;
  /** Command parameters as text (`;`-separated for commands 1 and 2, trailing NULs trimmed); absent when the body ends. */
  params?: string;
  /** The parameter bytes as received, present only when `params` would not re-encode to them. */
  paramsRaw?: Buffer;
}

export const TerminalControlCommand = {
  wirelessUpgrade: 1,
  connectServer: 2,
  powerOff: 3,
  reset: 4,
  factoryReset: 5,
  closeDataLink: 6,
  closeAllWireless: 7,
} as const;

export const m8105 = defineMessage({
  msgId: 0x8105,
  type: 'terminal-control',
  direction: 'down',
  decode(r): TerminalControl {
    const command = r.u8();
    if (r.remaining === 0) return { command };
    const start = r.pos;
    const raw = r.rest();
    const end = trimPadEnd(r.buf, start, r.end);
    const params = decodeGbk(r.buf, start, end);
    if (end !== r.end || !encodeGbk(params).equals(raw)) return { command, params, paramsRaw: raw };
    return { command, params };
  },
  encode(w, b: TerminalControl) {
    w.u8(b.command);
    if (b.paramsRaw !== undefined) w.bytes(b.paramsRaw);
    else if (b.params !== undefined) w.string(b.params);
  },
});

/** Command 1 parameters, in wire order. Every field is the text as sent ('' when empty). */
export interface UpgradeParams {
  url: string;
  /** Dial-up access point name (CDMA: PPP dial number). */
  apn: string;
  dialUser: string;
  dialPassword: string;
  /** Server IP or domain. */
  address: string;
  tcpPort: string;
  udpPort: string;
  /** Manufacturer id, BYTE[5] in the spec table, sent as text. */
  manufacturerId: string;
  hardwareVersion: string;
  firmwareVersion: string;
  /** Minutes the terminal stays on the given server; 0 = indefinitely. */
  connectTimeLimit: string;
}

/** Command 2 parameters, in wire order ('' when empty). */
export interface ConnectServerParams {
  /** 0 switch to the given supervision platform (emergency state), 1 back to the default platform. */
  connectionControl: string;
  /** Auth code issued by the supervision platform. */
  authCode: string;
  apn: string;
  dialUser: string;
  dialPassword: string;
  address: string;
  tcpPort: string;
  udpPort: string;
  /** Minutes; 0 = indefinitely. */
  connectTimeLimit: string;
}

const UPGRADE_FIELDS = [
  'url',
  'apn',
  'dialUser',
  'dialPassword',
  'address',
  'tcpPort',
  'udpPort',
  'manufacturerId',
  'hardwareVersion',
  'firmwareVersion',
  'connectTimeLimit',
] as const satisfies readonly (keyof UpgradeParams)[];

const CONNECT_FIELDS = [
  'connectionControl',
  'authCode',
  'apn',
  'dialUser',
  'dialPassword',
  'address',
  'tcpPort',
  'udpPort',
  'connectTimeLimit',
] as const satisfies readonly (keyof ConnectServerParams)[];

function split<K extends string>(fields: readonly K[], params: string): Record<K, string> {
  const parts = params.split(';');
  const out = {} as Record<K, string>;
  fields.forEach((f, i) => {
    out[f] = parts[i] ?? '';
  });
  return out;
}

function join<K extends string>(fields: readonly K[], p: Partial<Record<K, string | number>>): string {
  return fields.map((f) => (p[f] === undefined ? '' : String(p[f]))).join(';');
}

/** Split command 1 parameters; missing trailing fields are ''. Extra fields are ignored. */
export function parseUpgradeParams(params: string): UpgradeParams {
  return split(UPGRADE_FIELDS, params);
}

/** Split command 2 parameters; missing trailing fields are ''. */
export function parseConnectServerParams(params: string): ConnectServerParams {
  return split(CONNECT_FIELDS, params);
}

/** Build command 1 parameters (omitted fields are left empty). */
export function formatUpgradeParams(p: Partial<Record<keyof UpgradeParams, string | number>>): string {
  return join(UPGRADE_FIELDS, p);
}

/**
 * Build command 2 parameters. With connection control 1 only `"1"` is sent
 * (JT/T 808-2013 0x8105 command table: "if the connection control is 1 there are no further parameters").
 */
export function formatConnectServerParams(p: Partial<Record<keyof ConnectServerParams, string | number>>): string {
  if (String(p.connectionControl) === '1') return '1';
  return join(CONNECT_FIELDS, p);
}
