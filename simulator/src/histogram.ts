/**
 * Latency histogram with bounded memory, whatever the number of samples: log-linear buckets
 * (HdrHistogram's layout with 5 significant bits), so every recorded value lands in a bucket whose
 * width is at most 1/32 of its value (≈ 3 % relative error). Values are microseconds; below 64 µs
 * buckets are exact. Values above ~35 minutes are clamped into the last bucket.
 *
 * 865 buckets (a 7 KB Float64Array) per histogram; `merge` adds another one into this one.
 */
const SUB_BITS = 5;
const SUB = 1 << SUB_BITS; // 32
const LINEAR = 2 * SUB; // values below 64 map to themselves
const MAX_VALUE = 0x7fffffff;
const MAX_SHIFT = 31 - 1 - SUB_BITS; // msb of MAX_VALUE is 30
const BUCKETS = LINEAR + MAX_SHIFT * SUB;

function bucketOf(v: number): number {
  if (v < LINEAR) return v;
  const msb = 31 - Math.clz32(v);
  const shift = msb - SUB_BITS;
  return LINEAR + (shift - 1) * SUB + ((v >>> shift) - SUB);
}

/** Smallest and largest value of a bucket. */
function boundsOf(i: number): [number, number] {
  if (i < LINEAR) return [i, i];
  const shift = Math.floor((i - LINEAR) / SUB) + 1;
  const top = ((i - LINEAR) % SUB) + SUB;
  return [top * 2 ** shift, (top + 1) * 2 ** shift - 1];
}

export interface HistogramSummary {
  count: number;
  /** Milliseconds (null when empty). */
  min: number | null;
  p50: number | null;
  p90: number | null;
  p99: number | null;
  max: number | null;
  mean: number | null;
}

export class Histogram {
  private readonly counts = new Float64Array(BUCKETS);
  private n = 0;
  private sum = 0;
  private lo = Number.POSITIVE_INFINITY;
  private hi = 0;

  get count(): number {
    return this.n;
  }

  /** Record one value in microseconds (negative or non-finite values are recorded as 0). */
  record(micros: number): void {
    const v = Number.isFinite(micros) && micros > 0 ? Math.min(MAX_VALUE, Math.round(micros)) : 0;
    this.counts[bucketOf(v)]!++;
    this.n++;
    this.sum += v;
    if (v < this.lo) this.lo = v;
    if (v > this.hi) this.hi = v;
  }

  /** Record a duration in milliseconds. */
  recordMs(ms: number): void {
    this.record(ms * 1000);
  }

  merge(other: Histogram): void {
    for (let i = 0; i < BUCKETS; i++) this.counts[i]! += other.counts[i]!;
    this.n += other.n;
    this.sum += other.sum;
    if (other.lo < this.lo) this.lo = other.lo;
    if (other.hi > this.hi) this.hi = other.hi;
  }

  reset(): void {
    this.counts.fill(0);
    this.n = 0;
    this.sum = 0;
    this.lo = Number.POSITIVE_INFINITY;
    this.hi = 0;
  }

  /**
   * The value (µs) at percentile `p` (0–100]: the middle of the bucket holding the sample of rank
   * ceil(p × count / 100), clamped to the exact minimum and maximum. Null when empty.
   */
  percentile(p: number): number | null {
    if (this.n === 0) return null;
    const rank = Math.max(1, Math.ceil((Math.min(100, Math.max(0, p)) / 100) * this.n));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) {
        const [a, b] = boundsOf(i);
        return Math.min(this.hi, Math.max(this.lo, (a + b) / 2));
      }
    }
    return this.hi;
  }

  /** Summary in milliseconds. */
  summary(): HistogramSummary {
    const ms = (v: number | null) => (v === null ? null : v / 1000);
    if (this.n === 0) return { count: 0, min: null, p50: null, p90: null, p99: null, max: null, mean: null };
    return {
      count: this.n,
      min: this.lo / 1000,
      p50: ms(this.percentile(50)),
      p90: ms(this.percentile(90)),
      p99: ms(this.percentile(99)),
      max: this.hi / 1000,
      mean: this.sum / this.n / 1000,
    };
  }
}
