/**
 * Optional upstream provider: another service speaking the same `GET /loc/query` interface (a Jimi
 * LBS, or a second iothub LBS with other data), asked only when the local store resolves nothing.
 * Bounded by a timeout; its answers are cached by the resolver like local ones.
 */
import { formatQuery, type LbsQuery } from './query.ts';

export interface UpstreamAnswer {
  lat: number;
  lng: number;
  accuracy: number;
  type: number;
}

export interface UpstreamProvider {
  /** A position, null when the provider knows nothing (its code 400); throws on failure / timeout. */
  resolve(query: LbsQuery): Promise<UpstreamAnswer | null>;
}

export interface HttpUpstreamOptions {
  /** Full URL of the provider's query endpoint, e.g. `https://lbs.example.com/loc/query`. */
  url: string;
  token: string;
  timeoutMs: number;
}

export class HttpUpstreamProvider implements UpstreamProvider {
  constructor(private readonly o: HttpUpstreamOptions) {}

  async resolve(query: LbsQuery): Promise<UpstreamAnswer | null> {
    const u = new URL(this.o.url);
    u.searchParams.set('imei', query.imei);
    u.searchParams.set('token', this.o.token);
    const f = formatQuery(query);
    if (f.wifi) u.searchParams.set('wifi', f.wifi);
    if (f.lbs) u.searchParams.set('lbs', f.lbs);
    const res = await fetch(u, { signal: AbortSignal.timeout(this.o.timeoutMs) });
    if (!res.ok) throw new Error(`upstream HTTP ${res.status}`);
    const body = (await res.json()) as { code?: unknown; data?: Record<string, unknown> | null };
    if (body.code === 400) return null;
    if (body.code !== 0 || !body.data) throw new Error(`upstream code ${String(body.code)}`);
    const lat = Number(body.data.lat);
    const lng = Number(body.data.lng);
    const accuracy = Number(body.data.accuracy);
    const type = Number(body.data.type);
    if (!(Math.abs(lat) <= 90 && Math.abs(lng) <= 180) || (lat === 0 && lng === 0)) {
      throw new Error('upstream answered an invalid position');
    }
    return {
      lat,
      lng,
      accuracy: Number.isFinite(accuracy) && accuracy > 0 ? accuracy : 1000,
      type: Number.isInteger(type) && type >= 0 && type <= 5 ? type : 5,
    };
  }
}
