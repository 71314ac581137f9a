/**
 * Device-model profiles (protocols/jimi-gt06.md §6, §8.7): layout and naming variants that
 * cannot be told from the frame itself and need the configured model. Variants that *can* be
 * told from (start, protocol, length) are detected by the codecs (VXT01, OBD6, Space10X ...).
 *
 * | models                                   | what changes                                              |
 * |------------------------------------------|-----------------------------------------------------------|
 * | R11                                      | 0x13: 2-byte power / 100 in place of the voltage level    |
 * | LW* (LW4G-4B, ...)                       | 0x13: power / 10 word after GSM; alarms 0x18/0x19 differ  |
 * | SEEWORLD                                 | 0x13: the alarm byte carries the power in volts           |
 * | NT11, NT20, NT26, NT40, NT46, VL100, XT40 | 0x22 / 0x25: source, IMEI, device time, status tail (§5.3) |
 * | QH302R                                   | 0x12: IMEI in front of the GPS block                      |
 * | VL103, LL303, VL512, G18                 | "VL" alarm set (0x28 power off)                           |
 *
 * Adding a model = one line in `MODELS` (or `PREFIXES`).
 */
export interface Gt06ModelProfile {
  readonly name: string;
  /** 0x13 heartbeat layout (§5.2). */
  readonly heartbeat: 'standard' | 'r11' | 'lw' | 'seeworld';
  /** Alarm-code naming set (§7). */
  readonly alarms: 'standard' | 'vl' | 'lw';
  /** 0x12 / 0x22 / 0x25 location layout (§5.3). */
  readonly location: 'standard' | 'nt' | 'imei-prefix';
}

export const DEFAULT_PROFILE: Gt06ModelProfile = {
  name: 'standard',
  heartbeat: 'standard',
  alarms: 'standard',
  location: 'standard',
};

function profile(name: string, p: Partial<Omit<Gt06ModelProfile, 'name'>>): Gt06ModelProfile {
  return { ...DEFAULT_PROFILE, ...p, name };
}

const NT = { location: 'nt' } as const;
const VL = { alarms: 'vl' } as const;

const MODELS: Record<string, Gt06ModelProfile> = {
  R11: profile('R11', { heartbeat: 'r11' }),
  SEEWORLD: profile('SEEWORLD', { heartbeat: 'seeworld' }),
  NT11: profile('NT11', NT),
  NT20: profile('NT20', NT),
  NT26: profile('NT26', NT),
  NT40: profile('NT40', NT),
  NT46: profile('NT46', NT),
  VL100: profile('VL100', NT),
  XT40: profile('XT40', NT),
  QH302R: profile('QH302R', { location: 'imei-prefix' }),
  VL103: profile('VL103', VL),
  LL303: profile('LL303', VL),
  VL512: profile('VL512', VL),
  G18: profile('G18', VL),
};

/** Model-name prefixes that select a profile (checked when no exact name matches). */
const PREFIXES: [string, Partial<Omit<Gt06ModelProfile, 'name'>>][] = [['LW', { heartbeat: 'lw', alarms: 'lw' }]];

/** The profile of a configured model name (case-insensitive); the standard profile when unknown or absent. */
export function profileForModel(model: string | undefined): Gt06ModelProfile {
  if (!model) return DEFAULT_PROFILE;
  const key = model.toUpperCase();
  const exact = MODELS[key];
  if (exact) return exact;
  for (const [prefix, p] of PREFIXES) {
    if (key.startsWith(prefix)) {
      const made = profile(key, p);
      MODELS[key] = made;
      return made;
    }
  }
  return DEFAULT_PROFILE;
}
