/**
 * cmdContent → codec bodies (each JT/T proNo of the issue), the wire bytes of 0x9101 from the JSON
 * shape of jimi-iothub-interface.md §2.5 (byte-exact, expected bytes written by hand), field errors,
 * and answers → `_content`.
 */
import { jt808 } from '@iothub/codec';
import { describe, expect, it } from 'vitest';
import { commandFor, FieldError, JT808_PRO_NOS, prepareCommand, replyContent, toWire } from '../src/commands.ts';
import { parseInstructRequest } from '../src/request.ts';

const LIMITS = { defaultTimeoutS: 30, maxTimeoutS: 300 };

function body(prepared: ReturnType<typeof prepareCommand>): Record<string, unknown> {
  if (!('jt808' in prepared)) throw new Error('not a JT/T command');
  return prepared.jt808.body as Record<string, unknown>;
}

function fieldOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof FieldError) return err.field;
    throw err;
  }
  throw new Error('no FieldError');
}

describe('prepareCommand', () => {
  it('0x9101 from the §2.5 JSON shape encodes byte-exact', () => {
    const p = prepareCommand(
      37121,
      '{"dataType":"0","codeStreamType":"1","channel":"1","videoIP":"1.2.3.4","videoTCPPort":"10002","videoUDPPort":"0"}',
    );
    expect(body(p)).toEqual({
      serverIp: '1.2.3.4',
      tcpPort: 10002,
      udpPort: 0,
      channel: 1,
      dataType: 0,
      streamType: 1,
    });
    const bytes = jt808.encodeJt808({ version: 2013, phone: '13800000001', serial: 5 }, {
      type: 'live-av-request',
      body: body(p),
    } as Pick<jt808.Jt808KnownMessage, 'type' | 'body'>);
    // body: BYTE len 7, "1.2.3.4", WORD 10002 (0x2712), WORD 0, BYTE channel 1, BYTE dataType 0, BYTE stream 1
    const expectedBody = '07' + '312e322e332e34' + '2712' + '0000' + '01' + '00' + '01';
    expect(bytes.subarray(13, 13 + expectedBody.length / 2).toString('hex')).toBe(expectedBody);
  });

  it('maps every JT/T proNo of the issue', () => {
    const shapes: Record<number, string> = {
      33027: '{"paramCount":"3","1":"180","19":"186.248.143.197","24":"21122"}',
      33028: '{}',
      33030: '{"ids":[1,19]}',
      33031: '',
      33281: '{}',
      33536: '{"flag":8,"text":"hello"}',
      34817: '{"channel":1,"command":1}',
      34818: '{"mediaType":0,"channel":1,"event":0,"beginTime":"230826113555","endTime":"230826113854"}',
      34819: '{"mediaType":0,"channel":1,"event":0,"beginTime":"","endTime":"","deleteFlag":0}',
      34820: '{"command":1,"duration":10}',
      34821: '{"mediaId":12}',
      37121: '{"channel":"1","videoIP":"1.2.3.4","videoTCPPort":"10002"}',
      37122: '{"channel":1,"cmd":"0","dataType":"0","codeStreamType":0}',
      37377:
        '{"serverAddress":"1.2.3.4","tcpPort":"10003","udpPort":"0","channel":"1","resourceType":"0","codeType":"0","storageType":"0","playMethod":"0","forwardRewind":"0","beginTime":"230826113555","endTime":"230826113854","instructionID":"123456789"}',
      37378: '{"channel":1,"playCtrl":5,"forwardRewind":0,"beginTime":"230826113600","instructionID":"1"}',
      37381:
        '{"channel":0,"beginTime":"230826000000","endTime":"230826235959","alarmFlag":0,"resourceType":0,"codeType":0,"storageType":0}',
      37382:
        '{"serverAddress":"ftp.example.com","port":21,"userName":"u","password":"p","fileUploadPath":"/up","channel":1,"beginTime":"230826000000","endTime":"230826010000"}',
      37383: '{"serialNumber":12,"uploadControl":2}',
      37384:
        '{"serverIp":"1.2.3.4","tcpPort":7000,"alarmId":{"terminalId":"T000001","time":"230826113555","serial":1,"attachmentCount":2},"alarmNumber":"A1"}',
    };
    expect(Object.keys(shapes).map(Number).sort()).toEqual([...JT808_PRO_NOS.keys()].sort());
    for (const [proNo, content] of Object.entries(shapes)) {
      const p = prepareCommand(Number(proNo), content);
      expect('jt808' in p && p.jt808.type).toBe(JT808_PRO_NOS.get(Number(proNo)));
      // the wire form survives JSON
      expect(JSON.parse(JSON.stringify(body(p)))).toEqual(body(p));
    }
  });

  it('0x8103 takes Jimi decimal keys, typed by the parameter table; paramCount ignored', () => {
    const b = body(prepareCommand(33027, '{"paramCount":"3","1":"180","19":"186.248.143.197","24":21122}'));
    expect(b).toEqual({
      params: [
        { id: 1, value: 180 },
        { id: 19, value: '186.248.143.197' },
        { id: 24, value: 21122 },
      ],
    });
    expect(fieldOf(() => prepareCommand(33027, '{"1":"not a number"}'))).toBe('cmdContent.1');
    expect(fieldOf(() => prepareCommand(33027, '{"x":"1"}'))).toBe('cmdContent.x');
  });

  it('yyMMddHHmmss reaches the device digit for digit (read in the wire zone)', () => {
    const b = body(
      prepareCommand(
        37377,
        '{"serverAddress":"1.2.3.4","tcpPort":"10003","channel":"1","beginTime":"230826113555","endTime":"230826113854"}',
      ),
    );
    const bytes = jt808.encodeJt808({ version: 2013, phone: '1', serial: 0 }, {
      type: 'playback-request',
      body: toWireBack(b),
    } as Pick<jt808.Jt808KnownMessage, 'type' | 'body'>);
    expect(bytes.toString('hex')).toContain('230826113555230826113854');
  });

  it('names the wrong field', () => {
    expect(fieldOf(() => prepareCommand(999, 'x'))).toBe('proNo');
    expect(fieldOf(() => prepareCommand(37121, 'not json'))).toBe('cmdContent');
    expect(fieldOf(() => prepareCommand(37121, '{"videoIP":"1.2.3.4","channel":"x"}'))).toBe('cmdContent.channel');
    expect(fieldOf(() => prepareCommand(37121, '{"videoIP":"1.2.3.4","channel":1,"videoTCPPort":70000}'))).toBe(
      'cmdContent.videoTCPPort',
    );
    expect(fieldOf(() => prepareCommand(37121, '{"channel":1}'))).toBe('cmdContent.videoIP');
    expect(fieldOf(() => prepareCommand(37377, '{"serverAddress":"a","channel":1,"beginTime":"231399000000"}'))).toBe(
      'cmdContent.beginTime',
    );
    expect(fieldOf(() => prepareCommand(128, ''))).toBe('cmdContent');
  });

  it('text: 0x80 for Jimi devices, 0x8300 for JT/T 808; JT/T proNos refused for Jimi devices', () => {
    const t = prepareCommand(128, 'STATUS#');
    expect(commandFor(t, 'jimi', 'en')).toEqual({ kind: 'jimi-text', text: 'STATUS#', language: 2 });
    expect(commandFor(t, 'jimi', undefined)).toEqual({ kind: 'jimi-text', text: 'STATUS#' });
    expect(commandFor(t, 'jt808', undefined)).toEqual({ kind: 'jt808-text', text: 'STATUS#' });
    expect(fieldOf(() => commandFor(prepareCommand(33028, ''), 'jimi', undefined))).toBe('proNo');
  });
});

describe('replyContent', () => {
  it('0x0104 → the production shape: paramCount and decimal ids, values as strings', () => {
    const c = replyContent('jt808', 0x0104, {
      replySerial: 3,
      params: [
        { id: 1, value: 180 },
        { id: 19, value: '1.2.3.4' },
      ],
    });
    expect(JSON.parse(c)).toEqual({ paramCount: '2', '1': '180', '19': '1.2.3.4' });
  });
  it('Jimi → the reply text; other JT/T answers → JSON with numbers as strings', () => {
    expect(replyContent('jimi', 0x21, { serverFlag: 1, encoding: 1, text: 'OK!' })).toBe('OK!');
    expect(JSON.parse(replyContent('jt808', 1, { replySerial: 2, replyMsgId: 33536, result: 0 }))).toEqual({
      replySerial: '2',
      replyMsgId: '33536',
      result: '0',
    });
  });
});

describe('parseInstructRequest', () => {
  const ok = { imei: '862798050240873', cmdContent: 'STATUS#', proNo: '128', serverFlagId: '1', token: 't' };
  it('accepts the Jimi form fields, deviceImei, and JSON types', () => {
    expect(parseInstructRequest(ok, LIMITS)).toMatchObject({
      imei: '862798050240873',
      proNo: 128,
      serverFlagId: 1,
      sync: true,
      offlineFlag: false,
      timeOutS: 30,
      cmdType: 'normallns',
    });
    const j = parseInstructRequest(
      {
        deviceImei: '862798050240873',
        cmdContent: { channel: 1 },
        proNo: 37121,
        sync: false,
        offLineFlag: true,
        timeOut: 9999,
      },
      LIMITS,
    );
    expect(j).toMatchObject({
      cmdContent: '{"channel":1}',
      proNo: 37121,
      sync: false,
      offlineFlag: true,
      timeOutS: 300,
    });
  });
  it('names the refused field', () => {
    const f = (b: Record<string, unknown>) => fieldOf(() => parseInstructRequest({ ...ok, ...b }, LIMITS));
    expect(f({ imei: 'abc' })).toBe('imei');
    expect(f({ imei: '' })).toBe('imei');
    expect(f({ proNo: 'x' })).toBe('proNo');
    expect(f({ proNo: '129' })).toBe('proNo');
    expect(f({ cmdContent: '' })).toBe('cmdContent');
    expect(f({ timeOut: '0' })).toBe('timeOut');
    expect(f({ sync: 'maybe' })).toBe('sync');
    expect(f({ serverFlagId: 'a b' })).toBe('serverFlagId');
    expect(f({ language: '<script>' })).toBe('language');
  });
});

/** The wire form back to codec types, as the gateway does (`reviveCommandBody`). */
function toWireBack(b: unknown): unknown {
  return reviveLike(JSON.parse(JSON.stringify(toWire(b))));
}
function reviveLike(v: unknown, key = ''): unknown {
  if (typeof v === 'string' && /Time$/.test(key) && /^\d{4}-/.test(v)) return new Date(v);
  if (Array.isArray(v)) return v.map((x) => reviveLike(x));
  if (v !== null && typeof v === 'object')
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, reviveLike(x, k)]));
  return v;
}
