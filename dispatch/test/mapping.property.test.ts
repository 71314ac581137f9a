/**
 * Bad input gets a defined outcome: whatever `data` a (buggy or future) gateway puts in an event,
 * every Jimi mapper returns a record (JSON-serializable), a skip, or throws a DispatchError
 * (→ dead-lettered with IOTHUB_ERR_PUSH_MAPPING) — never another exception.
 */
import { EVENT_KINDS, type UplinkEvent } from '@iothub/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DispatchError } from '../src/index.ts';
import { mapJimi } from '../src/jimi/index.ts';

const event = fc.record({
  kind: fc.constantFrom(...EVENT_KINDS),
  protocol: fc.constantFrom('jt808' as const, 'jimi' as const),
  type: fc.constantFrom('location-report', 'alarm-attachment-list', 'alarm-file-info', 'file-upload-completion', 'x'),
  receivedAt: fc.oneof(fc.constant('2026-05-01T08:00:02.000Z'), fc.string()),
  deviceTime: fc.option(fc.oneof(fc.constant('2026-05-01T08:00:00.000Z'), fc.string()), { nil: undefined }),
  data: fc.dictionary(
    fc.constantFrom(
      'latitude',
      'longitude',
      'speed',
      'course',
      'status',
      'alarm',
      'items',
      'cells',
      'wifi',
      'msgType',
      'response',
      'stage',
      'file',
      'state',
      'action',
      'timeZone',
      'terminalInfo',
      'data',
      'passThroughType',
      'reupload',
      'postType',
      'resolved',
      'total',
    ),
    fc.anything(),
  ),
});

describe('Jimi mappers on arbitrary event data', () => {
  it('return a record or a skip, or throw DispatchError — nothing else', () => {
    fc.assert(
      fc.property(event, (e) => {
        const ev = {
          v: 1,
          id: 'p',
          deviceImei: '860000000000001',
          gateId: 'g',
          connId: 'c',
          msgId: 0,
          ...e,
        } as UplinkEvent;
        try {
          const r = mapJimi(ev);
          if ('skip' in r) expect(typeof r.skip).toBe('string');
          else expect(typeof JSON.stringify(r.record)).toBe('string');
        } catch (err) {
          expect(err).toBeInstanceOf(DispatchError);
        }
      }),
      { numRuns: 3000 },
    );
  });
});
