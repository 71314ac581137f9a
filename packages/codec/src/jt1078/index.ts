/**
 * JT/T 1078 stream packets (media connection) and the Su-biao attachment file-data packet that
 * shares their `30 31 63 64` magic. See protocols/jt808-jt1078.md §8 and §9.
 */
export {
  type AttachmentFileData,
  AttachmentFileDataFramer,
  type AttachmentFileDataInput,
  type AttachmentFileDataResult,
  type AttachmentFileDataSink,
  type AttachmentFramerOptions,
  type AttachmentFramerStats,
  AttachmentStreamFramer,
  type AttachmentStreamFramerOptions,
  type AttachmentStreamSink,
  decodeAttachmentFileData,
  encodeAttachmentFileData,
  FILE_DATA_HEADER_LENGTH,
} from './file-data.ts';
export { Jt1078Framer, type Jt1078FramerOptions, type Jt1078FramerStats, type Jt1078PacketSink } from './framer.ts';
export { type AnnexBCodec, type NalUnit, splitAnnexB } from './nal.ts';
export {
  decodeJt1078Packet,
  encodeJt1078Frame,
  encodeJt1078Packet,
  JT1078_MAGIC,
  JT1078_MAX_BODY,
  JT1078_MAX_HEADER,
  type Jt1078AudioPacket,
  type Jt1078DataType,
  Jt1078DataTypes,
  type Jt1078DecodeOptions,
  type Jt1078DecodeResult,
  type Jt1078Packet,
  type Jt1078PacketInput,
  type Jt1078PassThroughPacket,
  type Jt1078SimLength,
  type Jt1078Subpacket,
  Jt1078Subpackets,
  type Jt1078VideoDataType,
  type Jt1078VideoPacket,
  jt1078HeaderLength,
} from './packet.ts';
export {
  isJt1078AudioPayload,
  isJt1078VideoPayload,
  JT1078_PAYLOAD_TYPES,
  Jt1078PayloadType,
  jt1078PayloadTypeName,
} from './payload-types.ts';
export {
  hasHisiliconHeader,
  type Jt1078AudioFrame,
  type Jt1078FrameSink,
  type Jt1078PassThroughData,
  Jt1078Reassembler,
  type Jt1078ReassemblerOptions,
  type Jt1078ReassemblerStats,
  type Jt1078VideoFrame,
} from './reassembler.ts';
