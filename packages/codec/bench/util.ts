/**
 * Minimal benchmark helpers. A benchmark prints one line per figure:
 *   bench <name> <value> <unit>
 * Figures are measured on purpose (pnpm bench:*), never asserted in tests.
 */
export interface BenchLine {
  name: string;
  value: number;
  unit: string;
}

export function printLine(line: BenchLine): void {
  const v = line.value >= 100 ? Math.round(line.value).toString() : line.value.toFixed(3);
  process.stdout.write(`bench ${line.name} ${v} ${line.unit}\n`);
}

/**
 * Run `fn` (which performs `opsPerCall` operations per call) repeatedly for about `ms`
 * milliseconds after a warm-up, and return operations per second (best of `rounds`).
 */
export function opsPerSecond(fn: () => void, opts: { opsPerCall?: number; ms?: number; rounds?: number } = {}): number {
  const opsPerCall = opts.opsPerCall ?? 1;
  const ms = opts.ms ?? 1000;
  const rounds = opts.rounds ?? 3;
  // warm-up: let the JIT settle
  const warmEnd = performance.now() + Math.min(500, ms / 2);
  while (performance.now() < warmEnd) for (let i = 0; i < 100; i++) fn();
  let best = 0;
  for (let r = 0; r < rounds; r++) {
    let calls = 0;
    const start = performance.now();
    let now = start;
    while (now - start < ms) {
      for (let i = 0; i < 100; i++) fn();
      calls += 100;
      now = performance.now();
    }
    best = Math.max(best, (calls * opsPerCall * 1000) / (now - start));
  }
  return best;
}

/** Keeps results alive so the JIT cannot drop the work. */
export let sink: unknown;
export function consume(v: unknown): void {
  sink = v;
}
