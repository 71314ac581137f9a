import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeAndWrap } from '../../src/jt808/escape.ts';
import { decodeAttachmentFileData, encodeAttachmentFileData } from '../../src/jt1078/index.ts';
import { loadGolden } from '../helpers/fixtures.ts';
import { checkSplitEverywhere, type FramerHarness } from '../helpers/framing.ts';
import { attachmentHarness, fileDataHarness, randomChunks } from './util.ts';

const golden = loadGolden('jt1078')
  .filter(([f]) => f === 'file-data.json')
  .map(([, c]) => Buffer.from(c.wire, 'hex'));
const NAME = '00_64_6401_0_20241122101530_alarm.txt';

/** A JT/T 808-2013 frame from phone 000000001001: wire bytes and what `Jt808Framer` yields. */
function jt808(msgId: number, serial: number, body: Buffer): { wire: Buffer; content: Buffer } {
  const h = Buffer.alloc(12);
  h.writeUInt16BE(msgId, 0);
  h.writeUInt16BE(body.length, 2);
  Buffer.from('000000001001', 'hex').copy(h, 4);
  h.writeUInt16BE(serial, 10);
  const content = Buffer.concat([h, body]);
  let check = 0;
  for (const b of content) check ^= b;
  return { wire: escapeAndWrap(content, check), content: Buffer.concat([content, Buffer.from([check])]) };
}

/** 0x1211 / 0x1212 body: name length, name, file type, size (§8). */
function fileInfo(name: string, size: number): Buffer {
  const n = Buffer.from(name, 'latin1');
  const b = Buffer.alloc(1 + n.length + 5);
  b[0] = n.length;
  n.copy(b, 1);
  b[1 + n.length] = 3; // text
  b.writeUInt32BE(size, 2 + n.length);
  return b;
}

const f1211 = jt808(0x1211, 2, fileInfo(NAME, 12));
const f1212 = jt808(0x1212, 3, fileInfo(NAME, 12));
const f1212b = jt808(0x1212, 0x7e, fileInfo(NAME, 12)); // serial 0x007e: escaped on the wire
const d4 = encodeAttachmentFileData({ fileName: NAME, offset: 4, data: Buffer.from('owor') });
const d8 = encodeAttachmentFileData({ fileName: NAME, offset: 8, data: Buffer.from('ld!\n') });
const d0 = encodeAttachmentFileData({ fileName: NAME, offset: 0, data: Buffer.from('hell') });

const session = [f1211.wire, d4, d8, f1212.wire, d0, f1212b.wire];
const sessionOut = [
  `j:${f1211.content.toString('hex')}`,
  `f:${NAME}@4:${Buffer.from('owor').toString('hex')}`,
  `f:${NAME}@8:${Buffer.from('ld!\n').toString('hex')}`,
  `j:${f1212.content.toString('hex')}`,
  `f:${NAME}@0:${Buffer.from('hell').toString('hex')}`,
  `j:${f1212b.content.toString('hex')}`,
];

function demux(): FramerHarness {
  const h = attachmentHarness();
  return { push: h.push, frames: () => h.out.map((s) => Buffer.from(s)) };
}

describe('attachment file-data packets', () => {
  it('decodes errors without throwing', () => {
    expect(decodeAttachmentFileData(Buffer.from('2031636400', 'hex'))).toMatchObject({
      ok: false,
      issue: { code: 'IOTHUB_ERR_FRAME_GARBAGE' },
    });
    expect(decodeAttachmentFileData(d4.subarray(0, 61))).toMatchObject({
      ok: false,
      issue: { code: 'IOTHUB_ERR_FRAME_TOO_SHORT' },
    });
    expect(decodeAttachmentFileData(d4.subarray(0, 65))).toMatchObject({
      ok: false,
      issue: { code: 'IOTHUB_ERR_FRAME_LENGTH' },
    });
  });

  it('refuses to encode a name over 50 bytes or an offset out of range', () => {
    expect(() => encodeAttachmentFileData({ fileName: 'x'.repeat(51), offset: 0, data: Buffer.alloc(0) })).toThrow(
      /IOTHUB_ERR_ENCODE_VALUE/,
    );
    expect(() => encodeAttachmentFileData({ fileName: 'a', offset: -1, data: Buffer.alloc(0) })).toThrow(
      /IOTHUB_ERR_ENCODE_VALUE/,
    );
  });

  it('round-trips any name, offset and data', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme-ascii', maxLength: 50 }).filter((s) => !s.includes('\0')),
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.uint8Array({ maxLength: 300 }),
        (fileName, offset, data) => {
          const r = decodeAttachmentFileData(encodeAttachmentFileData({ fileName, offset, data }));
          return (
            r.ok &&
            r.packet.fileName === fileName &&
            r.packet.offset === offset &&
            r.packet.length === data.length &&
            r.packet.data.equals(data)
          );
        },
      ),
      { numRuns: 500, seed: 12 },
    );
  });
});

describe('AttachmentFileDataFramer', () => {
  it('yields every golden packet whole, at every split, byte by byte, glued and after garbage', () => {
    for (const [i, wire] of golden.entries()) {
      const others = golden.filter((_, j) => j !== i).slice(0, 3);
      checkSplitEverywhere(
        () => fileDataHarness(),
        wire,
        [wire],
        Buffer.from('303163007e7e41', 'hex'),
        others.map((o) => ({ wire: o, expected: [o] })),
      );
    }
  });

  it('skips an oversized packet and finds the next one', () => {
    const h = fileDataHarness({ maxDataLength: 16 });
    const big = encodeAttachmentFileData({ fileName: NAME, offset: 0, data: Buffer.alloc(17, 0x41) });
    h.push(Buffer.concat([big, d4]));
    expect(h.frames().map((f) => f.toString('hex'))).toEqual([d4.toString('hex')]);
    expect(h.issues.map((i) => i.code)).toEqual(['IOTHUB_ERR_FRAME_TOO_LARGE', 'IOTHUB_ERR_FRAME_GARBAGE']);
    expect(h.framer.stats).toMatchObject({ fileData: 1, oversized: 1, discardedBytes: big.length });
  });

  it('never throws, accounts for every byte and stays under 62 + maxDataLength (200,000 cases)', () => {
    const maxDataLength = 32;
    const pieces = [...golden, d4, Buffer.from('30316364', 'hex'), f1211.wire];
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const { all, chunks } = randomChunks(seed, pieces, 80);
        const h = fileDataHarness({ maxDataLength });
        for (const c of chunks) {
          h.push(c);
          if (h.framer.pendingBytes > 62 + maxDataLength) return false;
        }
        let out = 0;
        for (const p of h.packets) {
          if (p.length > maxDataLength || p.data.length !== p.length) return false;
          out += 62 + p.length;
        }
        const s = h.framer.stats;
        return s.bytesIn === all.length && out + s.discardedBytes + h.framer.pendingBytes === all.length;
      }),
      { numRuns: 200_000, seed: 1210 },
    );
  });
});

describe('AttachmentStreamFramer (file data mixed with JT/T 808 frames)', () => {
  it('demultiplexes a whole session at every split, byte by byte, glued and after garbage', () => {
    const wire = Buffer.concat(session);
    const expected = sessionOut.map((s) => Buffer.from(s));
    checkSplitEverywhere(demux, wire, expected, Buffer.from('41424344ff3031', 'hex'), [
      { wire: d8, expected: [Buffer.from(sessionOut[2]!)] },
      { wire: f1212.wire, expected: [Buffer.from(sessionOut[3]!)] },
    ]);
  });

  it('passes 808 issues through and treats 7e 7e as one flag', () => {
    const h = attachmentHarness();
    const badCheck = Buffer.from(f1211.wire);
    badCheck[badCheck.length - 2]! ^= 0x01;
    h.push(Buffer.concat([Buffer.from([0x7e]), badCheck, d4]));
    expect(h.out).toEqual([
      `j:${Buffer.from(f1211.content.subarray(0, -1)).toString('hex')}${(f1211.content.at(-1)! ^ 1).toString(16).padStart(2, '0')}`,
      sessionOut[1],
    ]);
    expect(h.issues.map((i) => i.code)).toEqual(['IOTHUB_ERR_FRAME_CHECKSUM']);
  });

  it('gives up on a 0x7e that opens no frame of possible length', () => {
    const junk = Buffer.concat([Buffer.from([0x7e]), Buffer.alloc(200, 0x41)]);
    const want = [sessionOut[1], sessionOut[0]];
    const one = attachmentHarness({ jt808: { maxFrameSize: 64 } });
    one.push(Buffer.concat([junk, d4, f1211.wire]));
    expect(one.out).toEqual(want);
    const split = attachmentHarness({ jt808: { maxFrameSize: 64 } });
    for (const c of [junk.subarray(0, 100), junk.subarray(100), d4, f1211.wire]) split.push(c);
    expect(split.out).toEqual(want);
    expect(split.issues.map((i) => i.code)).toContain('IOTHUB_ERR_FRAME_TOO_LARGE');
  });

  it('never throws and stays bounded on random mixed streams (200,000 cases)', () => {
    const maxDataLength = 32;
    const maxFrameSize = 64;
    const pieces = [...session, Buffer.from('7e', 'hex'), Buffer.from('30316364', 'hex'), golden[1]!];
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const { chunks } = randomChunks(seed, pieces, 80);
        const h = attachmentHarness({ maxDataLength, jt808: { maxFrameSize } });
        for (const c of chunks) {
          h.push(c);
          if (h.framer.pendingBytes > 62 + maxDataLength + maxFrameSize) return false;
        }
        for (const p of h.fileData) if (p.length > maxDataLength) return false;
        return true;
      }),
      { numRuns: 200_000, seed: 1211 },
    );
  });
});
