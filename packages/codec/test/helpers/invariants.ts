import { expect } from 'vitest';

/**
 * Sanity invariants applied to every decoded value in the fixture tests (convention 9).
 * Walks any decoded structure; wherever an object carries a position, checks it:
 *  - `latitude` in [-90, 90] and `longitude` in [-180, 180] (both numbers, signed degrees)
 *  - `speed` (km/h) in [0, 1000], `course` (degrees) in [0, 360], when present as numbers
 *  - every Date is valid and within [2000-01-01, 2100-01-01)
 *  - device ids (`phone`, `imei`) are non-empty strings when present
 * Returns the number of positions checked.
 */
const MIN_TIME = Date.UTC(2000, 0, 1);
const MAX_TIME = Date.UTC(2100, 0, 1);

export function checkInvariants(value: unknown, path = '$'): number {
  let positions = 0;
  if (value instanceof Date) {
    const t = value.getTime();
    expect(Number.isNaN(t), `${path} is an invalid Date`).toBe(false);
    expect(t >= MIN_TIME && t < MAX_TIME, `${path} = ${value.toISOString()} out of bounds`).toBe(true);
    return 0;
  }
  if (value === null || typeof value !== 'object' || value instanceof Uint8Array) return 0;
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      positions += checkInvariants(v, `${path}[${i}]`);
    });
    return positions;
  }
  const o = value as Record<string, unknown>;
  if (typeof o.latitude === 'number' && typeof o.longitude === 'number') {
    positions++;
    expect(Math.abs(o.latitude) <= 90, `${path}.latitude ${o.latitude}`).toBe(true);
    expect(Math.abs(o.longitude) <= 180, `${path}.longitude ${o.longitude}`).toBe(true);
    if (typeof o.speed === 'number') expect(o.speed >= 0 && o.speed <= 1000, `${path}.speed ${o.speed}`).toBe(true);
    if (typeof o.course === 'number') expect(o.course >= 0 && o.course <= 360, `${path}.course ${o.course}`).toBe(true);
  }
  for (const key of ['phone', 'imei']) {
    if (key in o)
      expect(typeof o[key] === 'string' && (o[key] as string).length > 0, `${path}.${key} empty`).toBe(true);
  }
  for (const [k, v] of Object.entries(o)) positions += checkInvariants(v, `${path}.${k}`);
  return positions;
}

/**
 * The same checks without failing: every violation as a message, and the number of positions
 * seen. Used on third-party captures, whose source data is sometimes out of range (test vectors
 * with swapped or placeholder coordinates), where the test reports and bounds violations instead.
 */
export function invariantViolations(value: unknown, path = '$'): { positions: number; violations: string[] } {
  const out = { positions: 0, violations: [] as string[] };
  walk(value, path, out);
  return out;
}

function walk(value: unknown, path: string, out: { positions: number; violations: string[] }): void {
  if (value instanceof Date) {
    const t = value.getTime();
    if (Number.isNaN(t) || t < MIN_TIME || t >= MAX_TIME) out.violations.push(`${path} time out of bounds`);
    return;
  }
  if (value === null || typeof value !== 'object' || value instanceof Uint8Array) return;
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) walk(v, `${path}[${i}]`, out);
    return;
  }
  const o = value as Record<string, unknown>;
  if (typeof o.latitude === 'number' && typeof o.longitude === 'number') {
    out.positions++;
    if (Math.abs(o.latitude) > 90) out.violations.push(`${path}.latitude ${o.latitude}`);
    if (Math.abs(o.longitude) > 180) out.violations.push(`${path}.longitude ${o.longitude}`);
    if (typeof o.speed === 'number' && (o.speed < 0 || o.speed > 1000)) out.violations.push(`${path}.speed ${o.speed}`);
    if (typeof o.course === 'number' && (o.course < 0 || o.course > 360))
      out.violations.push(`${path}.course ${o.course}`);
  }
  for (const key of ['phone', 'imei']) {
    if (key in o && !(typeof o[key] === 'string' && (o[key] as string).length > 0))
      out.violations.push(`${path}.${key} empty`);
  }
  for (const [k, v] of Object.entries(o)) walk(v, `${path}.${k}`, out);
}
