/**
 * Jimi / Concox "GT06" family codec (protocols/jimi-gt06.md): framer, packet codec, message
 * codecs, device-model profiles and the replies a device expects.
 */
export * from './alarms.ts';
export * from './fields.ts';
export * from './framer.ts';
export * from './message.ts';
export * from './messages/2a-address-request.ts';
export * from './messages/8a-time.ts';
export * from './messages/9b-transparent.ts';
export * from './messages/01-login.ts';
export * from './messages/10-gps.ts';
export * from './messages/12-location.ts';
export * from './messages/13-heartbeat.ts';
export * from './messages/16-alarm.ts';
export * from './messages/17-gps-lbs-rfid.ts';
export * from './messages/19-lbs-alarm.ts';
export * from './messages/21-command-reply.ts';
export * from './messages/28-lbs-multi.ts';
export * from './messages/69-wifi-bcd.ts';
export * from './messages/70-modular.ts';
export * from './messages/80-online-command.ts';
export * from './messages/94-information.ts';
export * from './messages/95-camera-alarm.ts';
export * from './messages/97-address-reply.ts';
export * from './messages/generic-ack.ts';
export * from './models.ts';
export * from './packet.ts';
export * from './registry.ts';
export * from './replies.ts';
