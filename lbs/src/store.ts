/**
 * The on-disk store of cells and WiFi access points: a project-owned, sorted, fixed-record file with
 * a sparse in-memory block index (docs/lbs.md "Store: why this one").
 *
 * File layout (all little-endian):
 *
 * | offset            | bytes          | field                                                        |
 * |-------------------|----------------|--------------------------------------------------------------|
 * | 0                 | 8              | magic `IOTHLBS1`                                             |
 * | 8                 | 4              | kind: 1 cells, 2 WiFi                                        |
 * | 12                | 4              | records per block (B)                                        |
 * | 16                | 8              | record count N (f64, exact below 2^53)                       |
 * | 24                | 8              | index offset (f64)                                           |
 * | 32                | 8              | created, Unix ms (f64)                                       |
 * | 40                | 24             | reserved (zero)                                              |
 * | 64                | N × 32         | records sorted by (k1, k2), unique                           |
 * | index offset      | ceil(N/B) × 16 | (k1, k2) of the first record of each block                   |
 *
 * Record (32 bytes): k1 f64, k2 f64, latitude i32 (1e-7 degree), longitude i32, range u32 (metres),
 * samples u32. Keys are exact integers held in doubles (no BigInt on the hot path):
 *  - cell:  k1 = (mcc × 1000 + mnc) × 2^32 + lac   (< 2^52), k2 = cell id (< 2^53; NR ids are 36 bits)
 *  - WiFi:  k1 = the 48-bit BSSID,                  k2 = 0
 *
 * A lookup is a binary search over the block index (in memory: 16 bytes per 128 records, 1.25 MB for
 * 10 million rows), one positional read of one 4 KiB block (page cache) and a binary search in it.
 * The file is opened read-only; any number of readers (workers, processes) share it through the
 * page cache. A new import writes `<file>.tmp` and renames it over the old file (readers keep the
 * old inode until they reopen).
 */
import { closeSync, fstatSync, openSync, readSync, renameSync, writeSync } from 'node:fs';
import { LbsError } from './errors.ts';

export const STORE_MAGIC = 'IOTHLBS1';
export const HEADER_SIZE = 64;
export const RECORD_SIZE = 32;
export const DEFAULT_BLOCK_RECORDS = 128;
const TWO_32 = 2 ** 32;

export type StoreKind = 'cell' | 'wifi';
const KIND_ID: Record<StoreKind, number> = { cell: 1, wifi: 2 };

export interface StoreRecord {
  /** Degrees, WGS-84. */
  lat: number;
  lng: number;
  /** Radius the cell / AP covers (OpenCellID `range`, WiFi `accuracy`), metres. */
  range: number;
  samples: number;
}

export interface CellKey {
  mcc: number;
  mnc: number;
  lac: number;
  ci: number;
}

/** Limits a key must respect to be stored exactly (validated by the query parser and the import). */
export const KEY_LIMITS = { mcc: 999, mnc: 999, lac: 0xffffffff, ci: 2 ** 40 - 1 } as const;

export function cellKey1(mcc: number, mnc: number, lac: number): number {
  return (mcc * 1000 + mnc) * TWO_32 + lac;
}

/** `aa:bb:cc:dd:ee:ff` (any case, `:` or `-` or none) → 48-bit number; NaN when not a MAC. */
export function macKey(mac: string): number {
  const hex = mac.length === 12 ? mac : mac.length === 17 ? mac.replace(/[:-]/g, '') : '';
  if (hex.length !== 12 || !/^[0-9a-fA-F]{12}$/.test(hex)) return Number.NaN;
  return Number.parseInt(hex, 16);
}

export function macString(key: number): string {
  const hex = key.toString(16).padStart(12, '0');
  return hex.match(/../g)!.join(':');
}

/**
 * Row indices in (k1, k2) order: a stable LSD radix sort over 16-bit digits of the two keys (exact
 * integers below 2^53), least significant first; passes whose digit is the same for every row are
 * skipped. Linear time: 10 million rows sort in about a second, where a comparison sort takes ~20 s.
 */
export function sortOrder(k1: Float64Array, k2: Float64Array, n: number): Uint32Array {
  // 32-bit halves of the keys, so digits are plain bit operations.
  const halves = (k: Float64Array) => {
    const lo = new Uint32Array(n);
    const hi = new Uint32Array(n);
    for (let i = 0; i < n; i++) {
      const x = k[i]!;
      const l = x % TWO_32;
      lo[i] = l;
      hi[i] = (x - l) / TWO_32;
    }
    return [lo, hi] as const;
  };
  const [lo2, hi2] = halves(k2);
  const [lo1, hi1] = halves(k1);
  let a = new Uint32Array(n);
  for (let i = 0; i < n; i++) a[i] = i;
  let b = new Uint32Array(n);
  const count = new Uint32Array(65536);
  for (const part of [lo2, hi2, lo1, hi1]) {
    for (const shift of [0, 16]) {
      count.fill(0);
      for (let i = 0; i < n; i++) count[(part[i]! >>> shift) & 0xffff]!++;
      if (n === 0 || count[(part[0]! >>> shift) & 0xffff] === n) continue; // same digit everywhere
      let sum = 0;
      for (let d = 0; d < 65536; d++) {
        const c = count[d]!;
        count[d] = sum;
        sum += c;
      }
      for (let j = 0; j < n; j++) {
        const id = a[j]!;
        b[count[(part[id]! >>> shift) & 0xffff]!++] = id;
      }
      const t = a;
      a = b;
      b = t;
    }
  }
  return a;
}

/** Collects rows (any order) and writes a sorted store file. */
export class StoreBuilder {
  readonly kind: StoreKind;
  #n = 0;
  #k1 = new Float64Array(1024);
  #k2 = new Float64Array(1024);
  #lat = new Int32Array(1024);
  #lng = new Int32Array(1024);
  #range = new Uint32Array(1024);
  #samples = new Uint32Array(1024);

  constructor(kind: StoreKind) {
    this.kind = kind;
  }

  get size(): number {
    return this.#n;
  }

  #grow(): void {
    const cap = this.#k1.length * 2;
    const g = <T extends Float64Array | Int32Array | Uint32Array>(a: T, make: (n: number) => T): T => {
      const b = make(cap);
      b.set(a);
      return b;
    };
    this.#k1 = g(this.#k1, (n) => new Float64Array(n));
    this.#k2 = g(this.#k2, (n) => new Float64Array(n));
    this.#lat = g(this.#lat, (n) => new Int32Array(n));
    this.#lng = g(this.#lng, (n) => new Int32Array(n));
    this.#range = g(this.#range, (n) => new Uint32Array(n));
    this.#samples = g(this.#samples, (n) => new Uint32Array(n));
  }

  /** Add one row; the caller has validated the values. */
  add(k1: number, k2: number, r: StoreRecord): void {
    this.addValues(k1, k2, r.lat, r.lng, r.range, r.samples);
  }

  /** `add` without the record object (the import's hot path). */
  addValues(k1: number, k2: number, lat: number, lng: number, range: number, samples: number): void {
    if (this.#n === this.#k1.length) this.#grow();
    const i = this.#n++;
    this.#k1[i] = k1;
    this.#k2[i] = k2;
    this.#lat[i] = Math.round(lat * 1e7);
    this.#lng[i] = Math.round(lng * 1e7);
    this.#range[i] = Math.min(0xffffffff, Math.max(0, Math.round(range)));
    this.#samples[i] = Math.min(0xffffffff, Math.max(0, Math.round(samples)));
  }

  /**
   * Sort, drop duplicate keys (the row with more samples wins; on a tie the later row), write
   * `path` atomically. Returns the number of records written.
   */
  write(path: string, blockRecords = DEFAULT_BLOCK_RECORDS): number {
    const n = this.#n;
    const k1 = this.#k1;
    const k2 = this.#k2;
    // Stable (later rows stay later among equal keys).
    const order = sortOrder(k1, k2, n);
    const tmp = `${path}.tmp`;
    const fd = openSync(tmp, 'w');
    let count = 0;
    try {
      const chunkRecords = 65536;
      const chunk = Buffer.alloc(chunkRecords * RECORD_SIZE);
      const view = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      const index: number[] = [];
      let inChunk = 0;
      let pos = HEADER_SIZE;
      const flush = () => {
        if (inChunk === 0) return;
        writeSync(fd, chunk, 0, inChunk * RECORD_SIZE, pos);
        pos += inChunk * RECORD_SIZE;
        inChunk = 0;
      };
      for (let j = 0; j < n; j++) {
        const i = order[j]!;
        // Duplicate keys: keep the best of the run (more samples; later row on a tie).
        const next = j + 1 < n ? order[j + 1]! : -1;
        if (next >= 0 && k1[next] === k1[i] && k2[next] === k2[i]) {
          if (this.#samples[i]! > this.#samples[next]!) {
            order[j + 1] = i;
          }
          continue;
        }
        if (count % blockRecords === 0) index.push(k1[i]!, k2[i]!);
        const o = inChunk * RECORD_SIZE;
        view.setFloat64(o, k1[i]!, true);
        view.setFloat64(o + 8, k2[i]!, true);
        view.setInt32(o + 16, this.#lat[i]!, true);
        view.setInt32(o + 20, this.#lng[i]!, true);
        view.setUint32(o + 24, this.#range[i]!, true);
        view.setUint32(o + 28, this.#samples[i]!, true);
        count++;
        if (++inChunk === chunkRecords) flush();
      }
      flush();
      const indexOffset = pos;
      const ib = Buffer.from(new Float64Array(index).buffer);
      writeSync(fd, ib, 0, ib.length, indexOffset);
      const header = Buffer.alloc(HEADER_SIZE);
      header.write(STORE_MAGIC, 0, 'latin1');
      header.writeUInt32LE(KIND_ID[this.kind], 8);
      header.writeUInt32LE(blockRecords, 12);
      header.writeDoubleLE(count, 16);
      header.writeDoubleLE(indexOffset, 24);
      header.writeDoubleLE(Date.now(), 32);
      writeSync(fd, header, 0, HEADER_SIZE, 0);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
    return count;
  }
}

/** A read-only store file. Lookups are synchronous positional reads (page cache). */
export class StoreReader {
  readonly kind: StoreKind;
  readonly count: number;
  readonly blockRecords: number;
  readonly createdAt: number;
  #fd: number | null;
  readonly #index: Float64Array;
  readonly #blocks: number;
  readonly #block: Buffer;

  private constructor(
    fd: number,
    kind: StoreKind,
    count: number,
    blockRecords: number,
    created: number,
    index: Float64Array,
  ) {
    this.#fd = fd;
    this.kind = kind;
    this.count = count;
    this.blockRecords = blockRecords;
    this.createdAt = created;
    this.#index = index;
    this.#blocks = index.length / 2;
    this.#block = Buffer.alloc(blockRecords * RECORD_SIZE);
  }

  /** Open a store file; throws LbsError IOTHUB_ERR_LBS_STORE_FORMAT when it is not one. */
  static open(path: string, expected?: StoreKind): StoreReader {
    const fd = openSync(path, 'r');
    try {
      const size = fstatSync(fd).size;
      const header = Buffer.alloc(HEADER_SIZE);
      if (size < HEADER_SIZE || readSync(fd, header, 0, HEADER_SIZE, 0) !== HEADER_SIZE) {
        throw new LbsError('IOTHUB_ERR_LBS_STORE_FORMAT', `${path}: shorter than the header`);
      }
      if (header.toString('latin1', 0, 8) !== STORE_MAGIC) {
        throw new LbsError('IOTHUB_ERR_LBS_STORE_FORMAT', `${path}: not an iothub LBS store`);
      }
      const kindId = header.readUInt32LE(8);
      const kind: StoreKind | null = kindId === 1 ? 'cell' : kindId === 2 ? 'wifi' : null;
      if (kind === null || (expected !== undefined && kind !== expected)) {
        throw new LbsError('IOTHUB_ERR_LBS_STORE_FORMAT', `${path}: store kind ${kindId}`);
      }
      const blockRecords = header.readUInt32LE(12);
      const count = header.readDoubleLE(16);
      const indexOffset = header.readDoubleLE(24);
      const blocks = Math.ceil(count / Math.max(1, blockRecords));
      if (
        blockRecords < 1 ||
        blockRecords > 1 << 16 ||
        !Number.isInteger(count) ||
        indexOffset !== HEADER_SIZE + count * RECORD_SIZE ||
        size !== indexOffset + blocks * 16
      ) {
        throw new LbsError('IOTHUB_ERR_LBS_STORE_FORMAT', `${path}: inconsistent sizes`);
      }
      const ib = Buffer.alloc(blocks * 16);
      if (blocks > 0) readSync(fd, ib, 0, ib.length, indexOffset);
      const index = new Float64Array(blocks * 2);
      for (let i = 0; i < blocks * 2; i++) index[i] = ib.readDoubleLE(i * 8);
      return new StoreReader(fd, kind, count, blockRecords, header.readDoubleLE(32), index);
    } catch (err) {
      closeSync(fd);
      throw err;
    }
  }

  /** The record with key (k1, k2), or null. */
  get(k1: number, k2: number): StoreRecord | null {
    const fd = this.#fd;
    if (fd === null || this.#blocks === 0) return null;
    const idx = this.#index;
    // Last block whose first key ≤ (k1, k2).
    let lo = 0;
    let hi = this.#blocks - 1;
    if (idx[0]! > k1 || (idx[0] === k1 && idx[1]! > k2)) return null;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      const a = idx[mid * 2]!;
      if (a < k1 || (a === k1 && idx[mid * 2 + 1]! <= k2)) lo = mid;
      else hi = mid - 1;
    }
    const first = lo * this.blockRecords;
    const n = Math.min(this.blockRecords, this.count - first);
    const buf = this.#block;
    readSync(fd, buf, 0, n * RECORD_SIZE, HEADER_SIZE + first * RECORD_SIZE);
    let l = 0;
    let h = n - 1;
    while (l <= h) {
      const m = (l + h) >>> 1;
      const o = m * RECORD_SIZE;
      const a = buf.readDoubleLE(o);
      const b = buf.readDoubleLE(o + 8);
      if (a === k1 && b === k2) {
        return {
          lat: buf.readInt32LE(o + 16) / 1e7,
          lng: buf.readInt32LE(o + 20) / 1e7,
          range: buf.readUInt32LE(o + 24),
          samples: buf.readUInt32LE(o + 28),
        };
      }
      if (a < k1 || (a === k1 && b < k2)) l = m + 1;
      else h = m - 1;
    }
    return null;
  }

  getCell(k: CellKey): StoreRecord | null {
    return this.get(cellKey1(k.mcc, k.mnc, k.lac), k.ci);
  }

  getWifi(macKeyValue: number): StoreRecord | null {
    return this.get(macKeyValue, 0);
  }

  close(): void {
    if (this.#fd !== null) closeSync(this.#fd);
    this.#fd = null;
  }
}
