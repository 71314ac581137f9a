/** The OpenAPI 3.1 description served at `GET /api/openapi.json` (docs/api.md is the prose version). */
import { SUPPORTED_PRO_NOS } from './commands.ts';

const form = (properties: Record<string, unknown>, required: string[]) => {
  const schema = { type: 'object', properties, required };
  return {
    required: true,
    content: { 'application/x-www-form-urlencoded': { schema }, 'application/json': { schema } },
  };
};

const token = { type: 'string', description: 'API_TOKEN (compared in constant time)' };
const imei = { type: 'string', pattern: '^\\d{1,20}$', description: 'device IMEI (alias deviceImei)' };

const envelope = {
  type: 'object',
  properties: {
    code: { type: 'integer', description: '0: the request was processed; the device outcome is data._code' },
    msg: { type: 'string' },
    data: {
      type: 'object',
      properties: {
        _code: {
          type: 'string',
          enum: ['100', '200', '300', '301', '302', '400', '500', '600'],
          description:
            '100 device answered, 200 invalid parameter, 300 offline, 301 not registered, 302 busy, 400 network error, 500 exception, 600 timeout',
        },
        _msg: { type: 'string' },
        _content: { type: 'string', description: 'the device answer: text (proNo 128) or a JSON string' },
        _imei: { type: 'string' },
        _proNo: { type: 'integer', description: 'JT/T 808: the answering message id in decimal (0x0104 → 260)' },
        _serverFlagId: { type: ['integer', 'string'] },
        _type: { type: 'string' },
        _language: { type: 'string' },
        _time_out: { type: 'integer' },
        _route_client_time: { type: 'integer' },
        _route_server_time: { type: 'integer' },
        _gateId: { type: 'string' },
        _errorCode: { type: 'string', description: 'IOTHUB_ERR_* when _code is not 100' },
      },
    },
  },
};

const refusal = {
  description: 'refused before anything was sent',
  content: {
    'application/json': {
      schema: {
        type: 'object',
        properties: { code: { type: 'integer' }, msg: { type: 'string' }, errorCode: { type: 'string' } },
      },
    },
  },
};

export function openApiDocument(): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: {
      title: 'iothub instruction API (Jimi IoT Hub compatible)',
      version: '1',
      description: 'sendInstruct and the offline-command APIs. See docs/api.md for curl examples.',
    },
    paths: {
      '/api/device/sendInstruct': {
        post: {
          summary: 'Send a command to a device (synchronous by default)',
          requestBody: form(
            {
              imei,
              deviceImei: imei,
              cmdContent: { type: 'string', description: 'proNo 128: the text command; JT/T proNos: a JSON object' },
              serverFlagId: { type: ['integer', 'string'], description: 'echoed as _serverFlagId' },
              proNo: { type: 'integer', enum: SUPPORTED_PRO_NOS },
              platform: { type: 'string' },
              requestId: { type: 'string' },
              cmdType: { type: 'string', default: 'normallns' },
              token,
              language: { type: 'string', description: 'zh / en: the Jimi 0x80 language word' },
              sync: { type: 'boolean', default: true },
              offlineFlag: { type: 'boolean', default: false },
              timeOut: {
                type: 'integer',
                minimum: 1,
                description: 'seconds (default 30, capped at API_MAX_TIMEOUT_S)',
              },
            },
            ['imei', 'cmdContent', 'proNo', 'token'],
          ),
          responses: {
            '200': { description: 'the Jimi envelope', content: { 'application/json': { schema: envelope } } },
            '400': refusal,
            '401': refusal,
            '413': refusal,
            '429': refusal,
          },
        },
      },
      '/api/device/queryOfflineInstruct': {
        post: {
          summary: 'The stored offline commands of a device',
          requestBody: form({ deviceImei: imei, imei, cmdType: { type: 'string' }, token }, ['deviceImei', 'token']),
          responses: {
            '200': {
              description:
                '{code:0, data:"<JSON string of the oldest command>", count, items:[…]} or {code:20002, msg:"The offline instruction could not be found"}',
            },
            '401': refusal,
          },
        },
      },
      '/api/device/deleteOfflineInstruct': {
        post: {
          summary: 'Delete the stored offline commands of a device (all, or one by id)',
          requestBody: form({ deviceImei: imei, imei, cmdType: { type: 'string' }, id: { type: 'string' }, token }, [
            'deviceImei',
            'token',
          ]),
          responses: {
            '200': { description: '{code:0, data:{deleted:n}} or {code:20002, …} when there was none' },
            '401': refusal,
          },
        },
      },
      '/health': { get: { summary: 'liveness', responses: { '200': { description: 'ok' } } } },
      '/ready': {
        get: {
          summary: 'readiness (the bus)',
          responses: { '200': { description: 'ready' }, '503': { description: 'not ready' } },
        },
      },
    },
  };
}
