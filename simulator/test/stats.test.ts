import { describe, expect, it } from 'vitest';
import { parseCliArgs } from '../src/cli-args.ts';
import { Histogram } from '../src/histogram.ts';
import { imeiFor, luhnDigit, parseAddressList, phoneFor } from '../src/identity.ts';
import { prng, Track } from '../src/motion.ts';
import { SimStats } from '../src/stats.ts';

describe('Histogram', () => {
  it('percentiles of a uniform distribution within the bucket precision', () => {
    const h = new Histogram();
    for (let v = 1; v <= 100_000; v++) h.record(v); // 1 µs .. 100 ms
    expect(h.count).toBe(100_000);
    const p50 = h.percentile(50)!;
    const p99 = h.percentile(99)!;
    expect(Math.abs(p50 - 50_000) / 50_000).toBeLessThan(0.04);
    expect(Math.abs(p99 - 99_000) / 99_000).toBeLessThan(0.04);
    const s = h.summary();
    expect(s.min).toBe(0.001);
    expect(s.max).toBe(100);
    expect(s.mean).toBeCloseTo(50.0005, 3);
  });

  it('exact below 64 µs, empty summary, clamps, merge', () => {
    const h = new Histogram();
    expect(h.summary().p50).toBeNull();
    for (const v of [3, 3, 3, 40]) h.record(v);
    expect(h.percentile(50)).toBe(3);
    expect(h.percentile(100)).toBe(40);
    h.record(-5);
    h.record(Number.NaN);
    h.record(1e15);
    expect(h.count).toBe(7);
    expect(h.percentile(0)).toBe(0);
    const other = new Histogram();
    other.recordMs(250);
    h.merge(other);
    expect(h.count).toBe(8);
    expect(h.summary().max).toBeGreaterThan(2e6); // the clamped value, ms
    h.reset();
    expect(h.count).toBe(0);
  });

  it('a skewed distribution: p99 sees the tail, p50 does not', () => {
    const h = new Histogram();
    for (let i = 0; i < 980; i++) h.recordMs(1);
    for (let i = 0; i < 20; i++) h.recordMs(200);
    const s = h.summary();
    expect(s.p50).toBeCloseTo(1, 1);
    expect(s.p99! / 200).toBeGreaterThan(0.96);
    expect(s.p99! / 200).toBeLessThan(1.04);
  });
});

describe('SimStats', () => {
  it('derives totals and unacknowledged', () => {
    const st = new SimStats();
    st.sent.location = 10;
    st.sent.register = 1;
    st.expectingAck = 11;
    st.acked.location = 7;
    st.acked.register = 1;
    st.error('IOTHUB_ERR_SIM_ACK_TIMEOUT');
    st.error('IOTHUB_ERR_SIM_ACK_TIMEOUT');
    st.error('IOTHUB_ERR_FRAME_CHECKSUM');
    const s = st.snapshot();
    expect(s.sent).toBe(11);
    expect(s.acknowledged).toBe(8);
    expect(s.unacknowledged).toBe(3);
    expect(s.errors).toEqual({ IOTHUB_ERR_SIM_ACK_TIMEOUT: 2, IOTHUB_ERR_FRAME_CHECKSUM: 1 });
    expect(s.errorCount).toBe(3);
  });
});

describe('identities and addresses', () => {
  it('phone numbers per edition, the same device id after stripping zeros', () => {
    expect(phoneFor('13800000000', 5, 2013)).toBe('013800000005');
    expect(phoneFor('13800000000', 5, 2019)).toBe('00000000013800000005');
    expect(() => phoneFor('9999999999999', 0, 2013)).toThrow(/IOTHUB_ERR_SIM_ARGS/);
  });

  it('IMEIs are 15 digits with a valid Luhn digit and unique per index', () => {
    expect(luhnDigit('49015420323751')).toBe(8); // the textbook IMEI 490154203237518
    const a = imeiFor('86011207000000', 0);
    const b = imeiFor('86011207000000', 1);
    expect(a).toMatch(/^\d{15}$/);
    expect(a).not.toBe(b);
    expect(imeiFor('860112070000001', 0)).toBe(a); // a 15-digit base drops its check digit
  });

  it('source address ranges and lists', () => {
    expect(parseAddressList('127.0.0.1-127.0.0.8')).toHaveLength(8);
    expect(parseAddressList('127.0.0.1-127.0.0.2, 10.0.0.1')).toEqual(['127.0.0.1', '127.0.0.2', '10.0.0.1']);
    expect(parseAddressList('127.0.0.255-127.0.1.0')).toEqual(['127.0.0.255', '127.0.1.0']);
    expect(() => parseAddressList('127.0.0.8-127.0.0.1')).toThrow(/ends before/);
    expect(() => parseAddressList('localhost')).toThrow(/not an IPv4/);
    expect(() => parseAddressList('10.0.0.0-10.1.0.0')).toThrow(/more than 4096/);
  });
});

describe('movement', () => {
  it('is deterministic per seed, moves plausibly and keeps valid ranges', () => {
    const a = new Track({ seed: 1 });
    const b = new Track({ seed: 1 });
    const t0 = Date.UTC(2024, 0, 1);
    let prev = a.next(t0);
    expect(b.next(t0)).toEqual(prev);
    for (let i = 1; i <= 600; i++) {
      const f = a.next(t0 + i * 1000);
      expect(f.speed).toBeGreaterThanOrEqual(0);
      expect(f.speed).toBeLessThanOrEqual(110);
      expect(f.course).toBeGreaterThanOrEqual(0);
      expect(f.course).toBeLessThan(360);
      // At most ~110 km/h for 1 s: 31 m ≈ 0.0003°.
      expect(Math.abs(f.latitude - prev.latitude)).toBeLessThan(0.001);
      expect(f.mileage).toBeGreaterThanOrEqual(prev.mileage);
      prev = f;
    }
    const r = prng(42);
    const v = r();
    expect(v).toBeGreaterThanOrEqual(0);
    expect(v).toBeLessThan(1);
  });
});

describe('command-line arguments', () => {
  const base = ['--protocol', 'jt808-2013'];

  it('defaults and a full command line', () => {
    const c = parseCliArgs(['--', ...base]);
    expect(c).toMatchObject({
      protocol: 'jt808-2013',
      devices: 1,
      host: '127.0.0.1',
      port: 21122,
      rate: 1,
      duration: 10,
    });
    expect(parseCliArgs(['--protocol', 'jimi']).port).toBe(21100);
    const f = parseCliArgs([
      ...base,
      '--devices',
      '100',
      '--port',
      '9000',
      '--rate',
      '0.5',
      '--duration',
      '3',
      '--heartbeat',
      '0',
      '--alarm-every',
      '10',
      '--source-addresses',
      '127.0.0.1-127.0.0.8',
      '--json',
    ]);
    expect(f).toMatchObject({
      devices: 100,
      port: 9000,
      rate: 0.5,
      duration: 3,
      heartbeat: 0,
      alarmEvery: 10,
      json: true,
    });
    expect(f.sourceAddresses).toHaveLength(8);
  });

  it.each([
    [[], /--protocol is required/],
    [['--protocol', 'tcp'], /--protocol "tcp" is not one of/],
    [[...base, '--devices', '0'], /--devices 0 is out of range/],
    [[...base, '--devices', '2.5'], /--devices "2.5" must be a whole number/],
    [[...base, '--port', '70000'], /--port 70000 is out of range/],
    [[...base, '--rate', 'fast'], /--rate "fast" is not a number/],
    [[...base, '--duration', '0'], /--duration 0 is out of range/],
    [[...base, '--source-addresses', '1.2.3'], /--source-addresses: "1.2.3" is not an IPv4 address/],
    [[...base, '--bogus'], /Unknown option '--bogus'/],
    [[...base, 'extra'], /unexpected argument "extra"/],
    [['--protocol', 'jimi', '--batch-every', '3'], /JT\/T 808 only/],
    [[...base, '--rate', '0', '--heartbeat', '0'], /sends nothing/],
    [[...base, '--imei-base', 'abc'], /--imei-base "abc" must be 1–20 digits/],
    [['--protocol', 'jimi', '--location-ack', 'maybe'], /--location-ack "maybe" is not one of auto, yes, no/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseCliArgs(argv as string[])).toThrow(message);
  });
});
