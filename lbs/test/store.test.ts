/**
 * The store file: build → open → lookups, at block edges, with duplicates, against random key sets
 * (fast-check), and what happens with files that are not stores.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { LbsError } from '../src/errors.ts';
import { cellKey1, macKey, macString, StoreBuilder, StoreReader } from '../src/store.ts';

const dir = mkdtempSync(join(tmpdir(), 'iothub-lbs-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const file = () => join(dir, `s${n++}.lbs`);

describe('store file', () => {
  it('finds every record, at every block edge, and nothing else', () => {
    const b = new StoreBuilder('cell');
    for (let i = 999; i >= 0; i--)
      b.add(cellKey1(460, i % 7, i), i * 3, { lat: i / 100, lng: -i / 100, range: i, samples: 1 });
    const path = file();
    expect(b.write(path, 16)).toBe(1000);
    const r = StoreReader.open(path, 'cell');
    expect(r.count).toBe(1000);
    for (let i = 0; i < 1000; i++) {
      const got = r.get(cellKey1(460, i % 7, i), i * 3);
      expect(got).toEqual({ lat: i / 100, lng: i === 0 ? 0 : -i / 100, range: i, samples: 1 });
      expect(r.get(cellKey1(460, i % 7, i), i * 3 + 1)).toBeNull();
    }
    expect(r.get(0, 0)).toBeNull();
    expect(r.get(cellKey1(999, 999, 0xffffffff), 2 ** 40)).toBeNull();
    r.close();
    expect(r.get(cellKey1(460, 0, 0), 0)).toBeNull();
  });

  it('keeps the row with more samples for a duplicate key (the later one on a tie)', () => {
    const b = new StoreBuilder('cell');
    const k = cellKey1(262, 1, 5);
    b.add(k, 9, { lat: 1, lng: 1, range: 1, samples: 5 });
    b.add(k, 9, { lat: 2, lng: 2, range: 2, samples: 50 });
    b.add(k, 9, { lat: 3, lng: 3, range: 3, samples: 7 });
    b.add(k, 10, { lat: 4, lng: 4, range: 4, samples: 1 });
    b.add(k, 10, { lat: 5, lng: 5, range: 5, samples: 1 });
    const path = file();
    expect(b.write(path)).toBe(2);
    const r = StoreReader.open(path);
    expect(r.get(k, 9)?.lat).toBe(2);
    expect(r.get(k, 10)?.lat).toBe(5);
    r.close();
  });

  it('stores WiFi keys as 48-bit numbers', () => {
    expect(macKey('AA:bb:cc:dd:ee:ff')).toBe(0xaabbccddeeff);
    expect(macKey('aa-bb-cc-dd-ee-ff')).toBe(0xaabbccddeeff);
    expect(macKey('aabbccddeeff')).toBe(0xaabbccddeeff);
    expect(macKey('aa:bb:cc:dd:ee')).toBeNaN();
    expect(macKey('zz:bb:cc:dd:ee:ff')).toBeNaN();
    expect(macString(0x0200000000ff)).toBe('02:00:00:00:00:ff');
    const b = new StoreBuilder('wifi');
    b.add(macKey('02:00:00:00:00:01'), 0, { lat: 10, lng: 20, range: 30, samples: 1 });
    const path = file();
    b.write(path);
    const r = StoreReader.open(path, 'wifi');
    expect(r.getWifi(macKey('02:00:00:00:00:01'))).toMatchObject({ lat: 10, lng: 20, range: 30 });
    expect(() => StoreReader.open(path, 'cell')).toThrow(LbsError);
    r.close();
  });

  it('an empty store answers nothing', () => {
    const path = file();
    expect(new StoreBuilder('cell').write(path)).toBe(0);
    const r = StoreReader.open(path);
    expect(r.get(1, 1)).toBeNull();
    r.close();
  });

  it('refuses files that are not stores with IOTHUB_ERR_LBS_STORE_FORMAT', () => {
    const bad = [Buffer.alloc(10), Buffer.concat([Buffer.from('NOTASTOR'), Buffer.alloc(60)]), Buffer.alloc(200)];
    const good = file();
    const b = new StoreBuilder('cell');
    b.add(1, 1, { lat: 0, lng: 0, range: 0, samples: 0 });
    b.write(good);
    for (const bytes of bad) {
      const path = file();
      writeFileSync(path, bytes);
      expect(() => StoreReader.open(path)).toThrow(expect.objectContaining({ code: 'IOTHUB_ERR_LBS_STORE_FORMAT' }));
    }
    // A truncated store.
    const truncated = file();
    writeFileSync(truncated, Buffer.concat([Buffer.from('IOTHLBS1'), Buffer.alloc(100)]));
    expect(() => StoreReader.open(truncated)).toThrow(expect.objectContaining({ code: 'IOTHUB_ERR_LBS_STORE_FORMAT' }));
  });

  it('property: any set of keys is found exactly, absent keys are not', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(
          fc.tuple(
            fc.integer({ min: 0, max: 999 }),
            fc.integer({ min: 0, max: 2 ** 32 - 1 }),
            fc.integer({ min: 0, max: 2 ** 40 - 1 }),
          ),
          {
            minLength: 1,
            maxLength: 300,
            selector: (t) => `${t[0]}/${t[1]}/${t[2]}`,
          },
        ),
        fc.integer({ min: 1, max: 64 }),
        (keys, block) => {
          const b = new StoreBuilder('cell');
          keys.forEach(([m, lac, ci], i) => {
            b.add(cellKey1(m, 1, lac), ci, { lat: (i % 180) - 89, lng: 0, range: i, samples: 1 });
          });
          const path = file();
          b.write(path, block);
          const r = StoreReader.open(path);
          try {
            keys.forEach(([m, lac, ci], i) => {
              expect(r.get(cellKey1(m, 1, lac), ci)?.range).toBe(i);
              expect(r.get(cellKey1(m, 2, lac), ci)).toBeNull();
            });
          } finally {
            r.close();
            rmSync(path);
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});
