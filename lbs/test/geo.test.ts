/** The accuracy model on known geometries (lbs/src/geo.ts). */
import { describe, expect, it } from 'vitest';
import { combine, distanceM, estimate, signalWeight, toDbm } from '../src/geo.ts';

describe('distance', () => {
  it('one degree of latitude is about 111.2 km; the antimeridian is no wall', () => {
    expect(distanceM(0, 0, 1, 0)).toBeCloseTo(111_195, -1);
    expect(distanceM(0, 179.9, 0, -179.9)).toBeCloseTo(22_239, -1);
    expect(distanceM(22.5, 114, 22.5, 114)).toBe(0);
  });
});

describe('signal', () => {
  it('reads negative values as dBm, positive ones as the 0–255 strength scale, none as −90 dBm', () => {
    expect(toDbm(-70)).toBe(-70);
    expect(toDbm(-200)).toBe(-120);
    expect(toDbm(255)).toBe(-50);
    expect(toDbm(undefined)).toBe(-90);
    expect(signalWeight(-80) / signalWeight(-120)).toBeCloseTo(10, 6);
  });
});

describe('estimate', () => {
  it('one point: its own position and range', () => {
    expect(estimate([{ lat: 22.5, lng: 114, range: 800 }], 2000)).toEqual({
      lat: 22.5,
      lng: 114,
      accuracy: 800,
      used: 1,
      outliers: 0,
    });
  });

  it('two equal points: the midpoint; accuracy from their spread and ranges', () => {
    const e = estimate(
      [
        { lat: 0, lng: 0, range: 100, rssi: -70 },
        { lat: 0, lng: 0.01, range: 100, rssi: -70 },
      ],
      2000,
    )!;
    expect(e.lat).toBeCloseTo(0, 9);
    expect(e.lng).toBeCloseTo(0.005, 9);
    const half = distanceM(0, 0, 0, 0.005);
    expect(e.accuracy).toBe(Math.round(Math.sqrt(half ** 2 + 100 ** 2 / 2)));
  });

  it('a square of equal points: its centre', () => {
    const e = estimate(
      [
        { lat: 10, lng: 10, range: 50 },
        { lat: 10.001, lng: 10, range: 50 },
        { lat: 10, lng: 10.001, range: 50 },
        { lat: 10.001, lng: 10.001, range: 50 },
      ],
      2000,
    )!;
    expect(e.lat).toBeCloseTo(10.0005, 6);
    expect(e.lng).toBeCloseTo(10.0005, 6);
    expect(e.used).toBe(4);
  });

  it('the stronger signal pulls the estimate: 40 dB more is 10× the weight', () => {
    const e = estimate(
      [
        { lat: 0, lng: 0, range: 100, rssi: -60 },
        { lat: 0, lng: 0.011, range: 100, rssi: -100 },
      ],
      2000,
    )!;
    // Weights 10 : 1 → one eleventh of the way.
    expect(e.lng).toBeCloseTo(0.001, 6);
  });

  it('the smaller cell pulls the estimate (weight ∝ 1 / range)', () => {
    const e = estimate(
      [
        { lat: 0, lng: 0, range: 100 },
        { lat: 0, lng: 0.004, range: 300 },
      ],
      20_000,
    )!;
    expect(e.lng).toBeCloseTo(0.001, 6);
  });

  it('drops an outlier (a moved access point) when three or more points are known', () => {
    const e = estimate(
      [
        { lat: 22.5, lng: 114, range: 30 },
        { lat: 22.5002, lng: 114, range: 30 },
        { lat: 22.5001, lng: 114.0002, range: 30 },
        { lat: 48, lng: 2, range: 30 },
      ],
      2000,
    )!;
    expect(e.used).toBe(3);
    expect(e.outliers).toBe(1);
    expect(distanceM(e.lat, e.lng, 22.5001, 114.0001)).toBeLessThan(30);
  });

  it('averages across the antimeridian', () => {
    const e = estimate(
      [
        { lat: 0, lng: 179.99, range: 100 },
        { lat: 0, lng: -179.99, range: 100 },
      ],
      20_000,
    )!;
    expect(Math.abs(e.lng)).toBeCloseTo(180, 6);
  });

  it('nothing known: null', () => {
    expect(estimate([], 2000)).toBeNull();
  });
});

describe('combine', () => {
  const wifi = { lat: 22.5005, lng: 114.0005, accuracy: 30, used: 2, outliers: 0 };
  const cell = { lat: 22.5, lng: 114, accuracy: 1000, used: 1, outliers: 0 };
  it('agreeing WiFi and cells: mixed (3), fused by inverse variance, close to the WiFi', () => {
    const c = combine(wifi, cell)!;
    expect(c.type).toBe(3);
    expect(c.accuracy).toBe(Math.round(1 / Math.sqrt(1 / 30 ** 2 + 1 / 1000 ** 2)));
    expect(distanceM(c.lat, c.lng, wifi.lat, wifi.lng)).toBeLessThan(1);
  });
  it('disagreeing: WiFi wins (2)', () => {
    const c = combine(wifi, { ...cell, lat: 40, lng: -3 })!;
    expect(c).toEqual({ lat: wifi.lat, lng: wifi.lng, accuracy: 30, type: 2 });
  });
  it('cells only: 4; WiFi only: 2; nothing: null', () => {
    expect(combine(null, cell)?.type).toBe(4);
    expect(combine(wifi, null)?.type).toBe(2);
    expect(combine(null, null)).toBeNull();
  });
});
