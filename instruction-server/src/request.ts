/**
 * Schema validation of the API's request fields (form-encoded and JSON bodies alike: every value
 * may arrive as a string). Each check names the field it refuses (`FieldError`, `_code` 200).
 * Unknown fields are ignored (Jimi clients send extras such as `sign`).
 */
import { FieldError, SUPPORTED_PRO_NOS } from './commands.ts';

export interface InstructRequest {
  imei: string;
  cmdContent: string;
  /** Echoed as `_serverFlagId` (a number when it was an integer). */
  serverFlagId: string | number;
  proNo: number;
  platform?: string;
  requestId?: string;
  cmdType: string;
  language?: string;
  sync: boolean;
  offlineFlag: boolean;
  /** Seconds, bounded to [1, maxTimeoutS]. */
  timeOutS: number;
}

export interface RequestLimits {
  defaultTimeoutS: number;
  maxTimeoutS: number;
}

type Body = Record<string, unknown>;

export function asBody(body: unknown): Body {
  return body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Body) : {};
}

/** A scalar field as a string (trimmed); undefined when absent or empty. */
function scalar(body: Body, names: readonly string[]): { name: string; value: string } | undefined {
  for (const name of names) {
    const v = body[name];
    if (v === undefined || v === null) continue;
    if (typeof v === 'string') {
      if (v.trim() === '') continue;
      return { name, value: v.trim() };
    }
    if (typeof v === 'number' || typeof v === 'boolean') return { name, value: String(v) };
    throw new FieldError(name, 'must be a string or a number');
  }
  return undefined;
}

export function deviceImei(body: Body): string {
  const f = scalar(body, ['imei', 'deviceImei']);
  if (f === undefined) throw new FieldError('imei', 'is required (imei or deviceImei)');
  if (!/^\d{1,20}$/.test(f.value)) throw new FieldError(f.name, 'expected 1–20 digits');
  return f.value.replace(/^0+(?=\d)/, '');
}

function optionalText(body: Body, names: readonly string[], max: number, pattern?: RegExp): string | undefined {
  const f = scalar(body, names);
  if (f === undefined) return undefined;
  if (f.value.length > max) throw new FieldError(f.name, `at most ${max} characters`);
  if (pattern && !pattern.test(f.value)) throw new FieldError(f.name, `must match ${pattern.source}`);
  return f.value;
}

function bool(body: Body, names: readonly string[], def: boolean): boolean {
  const f = scalar(body, names);
  if (f === undefined) return def;
  switch (f.value.toLowerCase()) {
    case 'true':
    case '1':
    case 'yes':
      return true;
    case 'false':
    case '0':
    case 'no':
      return false;
    default:
      throw new FieldError(f.name, 'expected true or false');
  }
}

export function cmdType(body: Body): string {
  return optionalText(body, ['cmdType'], 64, /^[A-Za-z0-9_.-]+$/) ?? 'normallns';
}

export function parseInstructRequest(raw: unknown, limits: RequestLimits): InstructRequest {
  const body = asBody(raw);
  const imei = deviceImei(body);

  const content = body.cmdContent;
  if (content === undefined || content === null || content === '') throw new FieldError('cmdContent', 'is required');
  let cmdContent: string;
  if (typeof content === 'string') cmdContent = content;
  else if (typeof content === 'object')
    cmdContent = JSON.stringify(content); // a JSON body may nest the object
  else if (typeof content === 'number') cmdContent = String(content);
  else throw new FieldError('cmdContent', 'must be a string or a JSON object');
  if (cmdContent.length > 4096) throw new FieldError('cmdContent', 'at most 4096 characters');

  const proF = scalar(body, ['proNo']);
  if (proF === undefined) throw new FieldError('proNo', 'is required');
  if (!/^\d{1,6}$/.test(proF.value))
    throw new FieldError('proNo', 'expected a decimal message number such as 128 or 33028');
  const proNo = Number(proF.value);
  if (!SUPPORTED_PRO_NOS.includes(proNo)) {
    throw new FieldError('proNo', `${proNo} is not supported (supported: ${SUPPORTED_PRO_NOS.join(', ')})`);
  }

  let serverFlagId: string | number = 0;
  const flagF = scalar(body, ['serverFlagId']);
  if (flagF !== undefined) {
    if (/^\d{1,10}$/.test(flagF.value) && Number(flagF.value) <= 0xffffffff) serverFlagId = Number(flagF.value);
    else if (/^[A-Za-z0-9_.:-]{1,64}$/.test(flagF.value)) serverFlagId = flagF.value;
    else throw new FieldError('serverFlagId', 'expected an integer or up to 64 characters from A–Z a–z 0–9 _ . : -');
  }

  let timeOutS = limits.defaultTimeoutS;
  const toF = scalar(body, ['timeOut', 'timeout']);
  if (toF !== undefined) {
    if (!/^\d{1,7}$/.test(toF.value) || Number(toF.value) < 1) {
      throw new FieldError(toF.name, `expected whole seconds from 1 to ${limits.maxTimeoutS}`);
    }
    timeOutS = Math.min(Number(toF.value), limits.maxTimeoutS);
  }

  const req: InstructRequest = {
    imei,
    cmdContent,
    serverFlagId,
    proNo,
    cmdType: cmdType(body),
    sync: bool(body, ['sync'], true),
    offlineFlag: bool(body, ['offlineFlag', 'offLineFlag'], false),
    timeOutS,
  };
  const platform = optionalText(body, ['platform'], 32, /^[A-Za-z0-9_.-]+$/);
  if (platform !== undefined) req.platform = platform;
  const requestId = optionalText(body, ['requestId'], 128);
  if (requestId !== undefined) req.requestId = requestId;
  const language = optionalText(body, ['language'], 16, /^[A-Za-z_-]+$/);
  if (language !== undefined) req.language = language;
  return req;
}
