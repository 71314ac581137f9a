/**
 * Shared pieces of the Jimi push mapping: the endpoint names, the result of mapping one event, and
 * the value helpers (UTC `yyyy-MM-dd HH:mm:ss` times, 0/1 flags, numbers from the event JSON).
 *
 * Reference: ../shared/docs/jimi-iothub-interface.md §1 (field names exact, values illustrative).
 */
import type { UplinkEvent } from '@iothub/core';

/** Paths appended to PUSH_URL (case as the hub uses them, §1.3). */
export const JIMI_ENDPOINTS = [
  '/pushevent',
  '/pushhb',
  '/pushgps',
  '/pushalarm',
  '/pushlbs',
  '/pushInstructResponse',
  '/pushfileupload',
  '/pushresourcelist',
  '/pushftpfileupload',
  '/pushIothubEvent',
  '/pushTerminalTransInfo',
  '/pushPassThroughData',
] as const;
export type JimiEndpoint = (typeof JIMI_ENDPOINTS)[number];

/** Where a record goes: a PUSH_URL endpoint, or OFFLINE_CMD_PUSH_URL (offline-command results). */
export type JimiDestination = { kind: 'push'; endpoint: JimiEndpoint } | { kind: 'offline' };

export interface JimiRecord {
  destination: JimiDestination;
  /** One element of `data_list`. */
  record: Record<string, unknown>;
  /** Extra top-level form fields (`msgType` of /pushInstructResponse); records with different ones never share a request. */
  form?: Readonly<Record<string, string>>;
}

/** A mapper: the record for one event, or null when the event is not pushed (a reason for the skip metric). */
export type JimiMapper = (event: UplinkEvent) => JimiRecord | { skip: string };

/** ISO 8601 instant → `yyyy-MM-dd HH:mm:ss` UTC (§1.2 time format); null when absent or invalid. */
export function jimiTime(iso: unknown): string | null {
  if (typeof iso !== 'string') return null;
  // fast path: the events' own form, `toISOString()` (`2024-05-01T08:00:00.000Z`)
  if (
    iso.length === 24 &&
    iso.charCodeAt(10) === 84 /* T */ &&
    iso.charCodeAt(23) === 90 /* Z */ &&
    iso.charCodeAt(19) === 46
  ) {
    return `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
  }
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return null;
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

/** The gateway time of an event, `yyyy-MM-dd HH:mm:ss` UTC. */
export function gateTime(e: UplinkEvent): string {
  return jimiTime(e.receivedAt) ?? jimiTime(new Date().toISOString()) ?? '';
}

export function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

export function int(v: unknown): number | undefined {
  const n = num(v);
  return n === undefined ? undefined : Math.round(n);
}

export function flag(v: unknown): 0 | 1 | undefined {
  return typeof v === 'boolean' ? (v ? 1 : 0) : undefined;
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

export function obj(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

export function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/**
 * A record with optional fields: those left `undefined` are absent from the request (JSON.stringify
 * drops them), never sent as null. Identity at run time; it marks where that rule applies.
 */
export function defined(fields: Record<string, unknown>): Record<string, unknown> {
  return fields;
}

/** A JT/T 808 0x0200 additional item by kind (`items: [{ kind: 'mileage', mileage }, …]`). */
export function jt808Item(data: Record<string, unknown>, kind: string): Record<string, unknown> | undefined {
  for (const it of arr(data.items)) {
    const o = obj(it);
    if (o !== undefined && o.kind === kind) return o;
  }
  return undefined;
}

export function push(endpoint: JimiEndpoint, record: Record<string, unknown>): JimiRecord {
  return { destination: { kind: 'push', endpoint }, record };
}
