import { describe, expect, it } from 'vitest';
import {
  type AttachmentFileDataInput,
  decodeAttachmentFileData,
  decodeJt1078Packet,
  encodeAttachmentFileData,
  encodeJt1078Packet,
  type Jt1078DecodeOptions,
  type Jt1078PacketInput,
} from '../../src/jt1078/index.ts';
import { loadGolden } from '../helpers/fixtures.ts';
import { type Json, revive, toJson } from '../helpers/json.ts';
import { fileDataHarness, jt1078Harness, packetJson } from './util.ts';

/**
 * Every project-owned JT/T 1078 fixture (test/fixtures/jt1078/*.json): decoded to the expected
 * value, framed whole by the streaming framer, encoded back to the same bytes, round-tripped.
 */
const cases = loadGolden('jt1078');
const packets = cases.filter(([f]) => f === 'packet.json');
const fileData = cases.filter(([f]) => f === 'file-data.json');

describe('JT/T 1078 golden fixtures', () => {
  it('has fixtures', () => {
    expect(packets.length).toBeGreaterThan(10);
    expect(fileData.length).toBeGreaterThan(3);
  });

  it.each(packets.map(([file, c]) => [`${file}: ${c.name}`, c] as const))('%s', (_name, c) => {
    const wire = Buffer.from(c.wire, 'hex');
    const options = (c.options ? revive(c.options as Json) : undefined) as Jt1078DecodeOptions | undefined;
    const res = decodeJt1078Packet(wire, options);
    if (!res.ok) throw new Error(`decode failed: ${res.issue.code}`);
    expect(packetJson(res.packet)).toEqual(c.message);
    expect(res.packet.raw.toString('hex')).toBe(c.wire);

    const h = jt1078Harness(options);
    h.push(wire);
    expect(h.issues).toEqual([]);
    expect(h.packets.map(packetJson)).toEqual([c.message]);

    if (c.encode === false) return;
    const encoded = encodeJt1078Packet(revive(c.message) as Jt1078PacketInput);
    expect(encoded.toString('hex')).toBe(c.wire);
    // Encoding the decoded packet itself gives the same bytes too.
    expect(encodeJt1078Packet(res.packet).toString('hex')).toBe(c.wire);
  });

  it.each(fileData.map(([file, c]) => [`${file}: ${c.name}`, c] as const))('%s', (_name, c) => {
    const wire = Buffer.from(c.wire, 'hex');
    const res = decodeAttachmentFileData(wire);
    if (!res.ok) throw new Error(`decode failed: ${res.issue.code}`);
    expect(toJson(res.packet)).toEqual(c.message);

    const h = fileDataHarness();
    h.push(wire);
    expect(h.issues).toEqual([]);
    expect(h.packets.map((p) => toJson(p))).toEqual([c.message]);

    const encoded = encodeAttachmentFileData(revive(c.message) as AttachmentFileDataInput);
    expect(encoded.toString('hex')).toBe(c.wire);
  });
});
