/**
 * `/pushInstructResponse` (§1.16; reference §1.14): the outcome of an asynchronous `sendInstruct`
 * (`msgType` 1, to PUSH_URL + /pushInstructResponse) or of an offline command (`msgType` 2, to
 * OFFLINE_CMD_PUSH_URL with OFFLINE_CMD_PUSH_TOKEN). Event kind `instruct-result`, published by the
 * instruction server: `data = { msgType, response }`.
 *
 * Form: `token`, `msgType`, `data_list` = `[response]`, where `response` is the Jimi envelope
 * `{code, msg, data:{_code, _imei, _content, _msg, _serverFlagId, …}}` as the API would have
 * returned it synchronously.
 */
import type { UplinkEvent } from '@iothub/core';
import { DispatchError } from '../errors.ts';
import type { JimiMapper, JimiRecord } from './common.ts';
import { obj } from './common.ts';

const FORM_1 = Object.freeze({ msgType: '1' });
const FORM_2 = Object.freeze({ msgType: '2' });

export const pushInstructResponse: JimiMapper = (e: UplinkEvent) => {
  const msgType = e.data.msgType;
  const response = obj(e.data.response);
  if ((msgType !== 1 && msgType !== 2) || response === undefined) {
    throw new DispatchError('IOTHUB_ERR_PUSH_MAPPING', 'instruct-result needs msgType 1 or 2 and a response object');
  }
  const out: JimiRecord =
    msgType === 1
      ? { destination: { kind: 'push', endpoint: '/pushInstructResponse' }, record: response, form: FORM_1 }
      : { destination: { kind: 'offline' }, record: response, form: FORM_2 };
  return out;
};
