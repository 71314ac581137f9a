/**
 * The Jimi framer + session never throw: every frame of the third-party corpora (read from
 * `../shared/fixtures/gt06/`, never copied) and random bytes, after a login. Every frame gets a
 * defined outcome: an event (or, for 0x8A, a reply), and replies that are well-formed frames.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gt06 } from '@iothub/codec';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JimiSession } from '../src/jimi/session.ts';
import { framesOf, IMEI, loginFrame } from './jimi-helpers.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CORPUS = join(ROOT, '..', 'shared', 'fixtures', 'gt06');

function corpus(): string[] {
  const out: string[] = [];
  for (const file of ['traccar-frames.jsonl', 'doc-example-frames.jsonl']) {
    const path = join(CORPUS, file);
    if (!existsSync(path)) continue;
    for (const line of readFileSync(path, 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      const row = JSON.parse(line) as { hex?: unknown };
      if (typeof row.hex === 'string') out.push(row.hex);
    }
  }
  return out;
}

function loggedIn(): JimiSession {
  const s = new JimiSession({ gateId: 'g', connId: 'c', remoteAddress: '127.0.0.1:1' });
  const [login] = framesOf(loginFrame(IMEI, 1)).frames;
  s.step({ type: 'frame', frame: login! }, 0);
  return s;
}

const frames = corpus();

describe('Jimi session robustness', () => {
  it.skipIf(frames.length === 0)('steps every corpus frame without throwing, with an event or a reply each', () => {
    let stepped = 0;
    for (const h of frames) {
      const s = loggedIn();
      for (const frame of framesOf(Buffer.from(h, 'hex')).frames) {
        const r = s.step({ type: 'frame', frame }, Date.UTC(2024, 0, 1));
        stepped++;
        // A login of another IMEI closes the connection (an effect); everything else is published or answered.
        expect(r.events.length + r.replies.length + r.effects.length, h).toBeGreaterThan(0);
        for (const e of r.events) expect(e.deviceImei).toBe(IMEI);
        for (const reply of r.replies) {
          // Every reply is a whole frame our own framer accepts.
          expect(framesOf(reply.bytes).frames, `${h} → ${reply.bytes.toString('hex')}`).toHaveLength(1);
        }
        // The event is JSON (what the runtime publishes).
        expect(() => JSON.stringify(r.events)).not.toThrow();
      }
    }
    console.log(`jimi session: ${stepped} corpus frames stepped from ${frames.length} rows`);
  });

  it('never throws on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const s = loggedIn();
        for (const frame of framesOf(Buffer.from(bytes)).frames) s.step({ type: 'frame', frame }, 0);
      }),
      { numRuns: 2000, seed: 808 },
    );
  });

  it('never throws on random frames with a valid start, length and CRC, even with a clock out of range', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 255 }), fc.uint8Array({ maxLength: 120 }), (protocol, content) => {
        const s = loggedIn();
        const bytes = gt06.encodeGt06Raw(
          { start: content.length % 2 === 0 ? 'short' : 'long', serial: 7 },
          protocol,
          content,
        );
        const { frames: decoded } = framesOf(bytes);
        expect(decoded).toHaveLength(1);
        for (const frame of decoded) s.step({ type: 'frame', frame }, 0);
      }),
      { numRuns: 2000, seed: 809 },
    );
  });
});
