/**
 * Plausible vehicle movement for simulated devices: a deterministic pseudo-random drive per
 * device (seeded by its index) starting near a base point, with speed changing smoothly between
 * 0 and ~100 km/h, the heading drifting and turning now and then, stops, and an odometer.
 * Positions stay valid (latitude ±85°, longitude wrapped into ±180°).
 */

/** mulberry32: small, fast, deterministic PRNG in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Fix {
  latitude: number;
  longitude: number;
  /** Metres. */
  altitude: number;
  /** km/h. */
  speed: number;
  /** Degrees 0–359, clockwise from north. */
  course: number;
  time: Date;
  /** Odometer, km. */
  mileage: number;
  satellites: number;
  /** 0–31 (JT/T 808 item 0x30 style). */
  rssi: number;
}

export interface TrackOptions {
  /** Seed (the device index). */
  seed: number;
  /** Centre of the area devices start in. Default Shenzhen (22.543, 114.058). */
  origin?: { latitude: number; longitude: number };
  /** Devices start within this many km of the origin. Default 20. */
  spreadKm?: number;
}

const KM_PER_DEG_LAT = 111.32;

export class Track {
  private readonly rnd: () => number;
  private lat: number;
  private lon: number;
  private course: number;
  private speed = 0;
  private target: number;
  private stopLeft = 0;
  private km: number;
  private altitude: number;
  private last: number | null = null;

  constructor(options: TrackOptions) {
    this.rnd = prng(options.seed * 2654435761 + 1);
    const origin = options.origin ?? { latitude: 22.543, longitude: 114.058 };
    const spread = options.spreadKm ?? 20;
    const r = spread * Math.sqrt(this.rnd());
    const a = this.rnd() * 2 * Math.PI;
    this.lat = clampLat(origin.latitude + (r * Math.cos(a)) / KM_PER_DEG_LAT);
    this.lon = wrapLon(origin.longitude + (r * Math.sin(a)) / (KM_PER_DEG_LAT * Math.cos(rad(this.lat))));
    this.course = Math.floor(this.rnd() * 360);
    this.target = 20 + this.rnd() * 70;
    this.km = Math.round(this.rnd() * 50_000);
    this.altitude = Math.round(10 + this.rnd() * 90);
  }

  /** Advance to `now` (ms since the epoch) and return the fix there. */
  next(now: number): Fix {
    const dt = this.last === null ? 0 : Math.min(600, Math.max(0, (now - this.last) / 1000));
    this.last = now;
    if (dt > 0) this.step(dt);
    return this.fix(now);
  }

  /** The fix at the last position without moving. */
  fix(now: number): Fix {
    return {
      latitude: round6(this.lat),
      longitude: round6(this.lon),
      altitude: this.altitude,
      speed: Math.round(this.speed * 10) / 10,
      course: Math.round(this.course) % 360,
      time: new Date(Math.floor(now / 1000) * 1000),
      mileage: Math.round(this.km * 10) / 10,
      satellites: 6 + Math.floor(this.rnd() * 7),
      rssi: 18 + Math.floor(this.rnd() * 13),
    };
  }

  private step(dt: number): void {
    const rnd = this.rnd;
    if (this.stopLeft > 0) {
      this.stopLeft -= dt;
      this.speed = Math.max(0, this.speed - 15 * dt);
      if (this.stopLeft <= 0) this.target = 20 + rnd() * 70;
    } else {
      if (rnd() < 0.01 * dt) {
        this.stopLeft = 5 + rnd() * 40; // traffic light, parking
        this.target = 0;
      } else if (rnd() < 0.05 * dt) {
        this.target = 20 + rnd() * 80;
      }
      // Accelerate / brake towards the target (≤ 10 km/h per second).
      const d = this.target - this.speed;
      this.speed = Math.max(0, this.speed + Math.sign(d) * Math.min(Math.abs(d), 10 * dt));
      // Heading: slow drift, sometimes a turn.
      if (rnd() < 0.02 * dt) this.course += rnd() < 0.5 ? 90 : -90;
      else this.course += (rnd() - 0.5) * 6 * Math.min(dt, 10);
      this.course = ((this.course % 360) + 360) % 360;
    }
    const km = (this.speed * dt) / 3600;
    this.km += km;
    this.lat = clampLat(this.lat + (km * Math.cos(rad(this.course))) / KM_PER_DEG_LAT);
    this.lon = wrapLon(this.lon + (km * Math.sin(rad(this.course))) / (KM_PER_DEG_LAT * Math.cos(rad(this.lat))));
  }
}

function rad(d: number): number {
  return (d * Math.PI) / 180;
}

function round6(v: number): number {
  return Math.round(v * 1e6) / 1e6;
}

function clampLat(v: number): number {
  return Math.max(-85, Math.min(85, v));
}

function wrapLon(v: number): number {
  if (v > 180) return v - 360;
  if (v < -180) return v + 360;
  return v;
}
