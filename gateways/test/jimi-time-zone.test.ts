/**
 * Jimi wire time zone (JIMI_TIME_ZONE, jimi-gt06.md §3.2 / §3.9 / §8.8): UTC by default, a fixed
 * offset, or per device from the time zone word of its login.
 */
import { gt06 } from '@iothub/codec';
import { loadConfig } from '@iothub/core';
import { describe, expect, it } from 'vitest';
import { type JimiFrame, JimiFramer, type JimiFramerOptions } from '../src/jimi/index.ts';
import { FIX, hex } from './jimi-helpers.ts';

function times(options: Partial<JimiFramerOptions>, ...frames: string[]): (string | null)[] {
  const framer = new JimiFramer({ maxFrameSize: 2048, ...options });
  const out: (string | null)[] = [];
  const handler = {
    frame: (f: JimiFrame) => {
      const m = f.message;
      if (m.type === 'location' && m.body.layout === 'standard') out.push(m.body.gps.time?.toISOString() ?? null);
      else out.push(m.type);
    },
    issue: () => undefined,
  };
  for (const f of frames) framer.push(hex(f), handler);
  return out;
}

describe('Jimi wire time zone', () => {
  const utc = times({}, FIX.location22)[0] as string;
  const HOUR = 3_600_000;

  it('the LEN 0x11 login of the fixture announces GMT+8', () => {
    const r = gt06.decodeGt06Frame(hex(FIX.login5), true);
    expect(r.ok && r.message.type === 'login' && r.message.body.timeZone?.offsetMinutes).toBe(480);
  });

  it('per device from the login: later date-times are read as GMT+8; before the login, UTC', () => {
    const [before, login, after] = times({ timeZoneFromLogin: true }, FIX.location22, FIX.login5, FIX.location22);
    expect(before).toBe(utc);
    expect(login).toBe('login');
    expect(Date.parse(after as string)).toBe(Date.parse(utc) - 8 * HOUR);
  });

  it('off by default: the login does not change the wire time zone', () => {
    expect(times({}, FIX.login5, FIX.location22)[1]).toBe(utc);
  });

  it('a fixed offset applies to every frame', () => {
    const [t] = times({ decode: { timeOffsetMinutes: -210 } }, FIX.location22);
    expect(Date.parse(t as string)).toBe(Date.parse(utc) + 3.5 * HOUR);
  });

  it('JIMI_TIME_ZONE: utc, login, ±hh:mm; anything else names the variable', () => {
    expect(loadConfig({}).gateway.jimiTimeZone).toBe(0);
    expect(loadConfig({ JIMI_TIME_ZONE: 'login' }).gateway.jimiTimeZone).toBe('login');
    expect(loadConfig({ JIMI_TIME_ZONE: '+08:00' }).gateway.jimiTimeZone).toBe(480);
    expect(loadConfig({ JIMI_TIME_ZONE: '-3:30' }).gateway.jimiTimeZone).toBe(-210);
    expect(loadConfig({ JIMI_TIME_ZONE: '+8' }).gateway.jimiTimeZone).toBe(480);
    for (const bad of ['8', '+15:00', '+08:60', 'Asia/Shanghai']) {
      expect(() => loadConfig({ JIMI_TIME_ZONE: bad })).toThrow(/JIMI_TIME_ZONE/);
    }
  });
});
