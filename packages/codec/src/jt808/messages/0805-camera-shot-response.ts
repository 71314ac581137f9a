import { CodecError } from '../../errors.ts';
import { defineMessage } from '../message.ts';

/**
 * 0x0805 Camera shoot-immediately response (T→P), the answer to 0x8801. Same layout in 2013 / 2019
 * (SmallChi `JT808_0x0805.cs`, go-jt808 `t_0x0805.go`).
 *
 * | field          | type    | notes                                        |
 * |----------------|---------|----------------------------------------------|
 * | reply serial   | WORD    | serial of the 0x8801                         |
 * | result         | BYTE    | 0 success, 1 failure, 2 channel not supported |
 * | media id count | WORD    | "valid only when result = 0"                 |
 * | media ids      | DWORD[] |                                              |
 *
 * The spec says the count and list are valid only on success. SmallChi reads them only when the
 * result is 0; go-jt808 always reads them. Here they are read whenever the body holds them, and
 * `mediaIds` is absent when the body ends after the result; the encoder writes them when present.
 */
export interface CameraShotResponse {
  /** Serial of the 0x8801 command answered. */
  replySerial: number;
  /** 0 success, 1 failure, 2 channel not supported. */
  result: number;
  /** Ids of the media captured (upload follows with 0x0801). Absent when the body ends after `result`. */
  mediaIds?: number[];
}

export const m0805 = defineMessage({
  msgId: 0x0805,
  type: 'camera-shot-response',
  direction: 'up',
  decode(r): CameraShotResponse {
    const replySerial = r.u16();
    const result = r.u8();
    if (r.remaining === 0) return { replySerial, result };
    const count = r.u16();
    r.need(count * 4);
    const mediaIds: number[] = new Array(count);
    for (let i = 0; i < count; i++) mediaIds[i] = r.u32();
    return { replySerial, result, mediaIds };
  },
  encode(w, b: CameraShotResponse) {
    w.u16(b.replySerial).u8(b.result);
    if (b.mediaIds === undefined) return;
    if (!Array.isArray(b.mediaIds)) throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', 'mediaIds must be an array');
    w.u16(b.mediaIds.length);
    for (const id of b.mediaIds) w.u32(id);
  },
});
