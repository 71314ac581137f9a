#!/usr/bin/env node
/**
 * iothub command line. Today only the codec exists (issue #2); the gateways, router,
 * instruction API, push dispatcher, media and LBS services arrive with their issues, and
 * `pnpm start` will then run them all in one process. Until then it says so and exits.
 */
import { jt808 } from '@iothub/codec';

const [command] = process.argv.slice(2).filter((a) => a !== '--');

if (command === undefined || command === 'start') {
  const messages = jt808.JT808_CODECS.map((c) => `0x${c.msgId.toString(16).padStart(4, '0')}`).join(' ');
  process.stdout.write(
    [
      'iothub: open protocol gateway for GPS trackers and dashcams (Jimi IoT Hub compatible)',
      '',
      'Status: only the protocol codec package (packages/codec) exists so far.',
      'No server is started: the device gateways (JT/T 808 :21122, Jimi :21100), the instruction',
      'API (:10088), the push dispatcher, media and LBS services are not built yet.',
      '',
      `JT/T 808 messages with decode + encode: ${messages}`,
      '',
    ].join('\n'),
  );
} else {
  process.stderr.write(`unknown command: ${command}\n`);
  process.exit(2);
}
