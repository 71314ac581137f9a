import { expect } from 'vitest';

/**
 * "Split everywhere" (convention 10): feed a wire byte stream to a fresh framer whole, split at
 * every position, byte by byte, glued to other frames and after garbage; the frames that come
 * out must always be the same.
 */
export interface FramerHarness {
  /** Feed one chunk. */
  push(chunk: Buffer): void;
  /** Frames emitted so far (as the framer yields them). */
  frames(): Buffer[];
}

function hex(frames: Buffer[]): string[] {
  return frames.map((f) => f.toString('hex'));
}

function run(make: () => FramerHarness, chunks: Buffer[]): string[] {
  const h = make();
  for (const c of chunks) h.push(c);
  return hex(h.frames());
}

/**
 * @param wire     the bytes of one or more whole frames
 * @param expected the frames the framer must yield for `wire`
 * @param garbage  bytes that contain no frame start, used as a prefix
 * @param others   other wire frames (with their expected outputs) to glue around `wire`
 */
export function checkSplitEverywhere(
  make: () => FramerHarness,
  wire: Buffer,
  expected: Buffer[],
  garbage: Buffer,
  others: { wire: Buffer; expected: Buffer[] }[] = [],
): void {
  const want = hex(expected);
  expect(run(make, [wire]), 'whole').toEqual(want);
  for (let i = 1; i < wire.length; i++) {
    expect(run(make, [wire.subarray(0, i), wire.subarray(i)]), `split at ${i}`).toEqual(want);
  }
  const bytes: Buffer[] = [];
  for (let i = 0; i < wire.length; i++) bytes.push(wire.subarray(i, i + 1));
  expect(run(make, bytes), 'byte by byte').toEqual(want);
  expect(run(make, [Buffer.concat([wire, wire, wire])]), 'glued to itself').toEqual([...want, ...want, ...want]);
  expect(run(make, [Buffer.concat([garbage, wire])]), 'after garbage').toEqual(want);
  for (const o of others) {
    const glued = Buffer.concat([o.wire, wire, o.wire]);
    const wantGlued = [...hex(o.expected), ...want, ...hex(o.expected)];
    expect(run(make, [glued]), 'glued to others').toEqual(wantGlued);
    // and split in three uneven pieces
    const a = Math.floor(glued.length / 3);
    const b = Math.floor((glued.length * 2) / 3) + 1;
    expect(run(make, [glued.subarray(0, a), glued.subarray(a, b), glued.subarray(b)]), 'glued, split').toEqual(
      wantGlued,
    );
  }
}
