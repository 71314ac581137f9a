/**
 * JSON form of decoded values, used by the golden fixtures under test/fixtures/:
 * Buffer/Uint8Array → {"$hex": "..."}, Date → {"$date": "ISO"}, bigint → {"$bigint": "123"},
 * undefined properties dropped. `revive` is the inverse.
 */
export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export function toJson(value: unknown): Json {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return { $bigint: value.toString() };
  if (value instanceof Date) return { $date: Number.isNaN(value.getTime()) ? 'invalid' : value.toISOString() };
  if (value instanceof Uint8Array)
    return { $hex: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex') };
  if (Array.isArray(value)) return value.map(toJson);
  if (typeof value === 'object') {
    const out: { [k: string]: Json } = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (v !== undefined) out[k] = toJson(v);
    }
    return out;
  }
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return value;
  throw new Error(`cannot convert ${typeof value} to JSON`);
}

export function revive(value: Json): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(revive);
  const keys = Object.keys(value);
  if (keys.length === 1) {
    const v = value[keys[0]!];
    if (keys[0] === '$hex' && typeof v === 'string') return Buffer.from(v, 'hex');
    if (keys[0] === '$date' && typeof v === 'string') return new Date(v);
    if (keys[0] === '$bigint' && typeof v === 'string') return BigInt(v);
  }
  const out: Record<string, unknown> = {};
  for (const k of keys) out[k] = revive(value[k]!);
  return out;
}
