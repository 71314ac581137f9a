/** TLS on the device port: a terminal over `node:tls` registers and is answered. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { jt808 } from '@iothub/codec';
import { afterEach, expect, it } from 'vitest';
import type { GatewayServer } from '../src/common/server.ts';
import type { Jt808Frame } from '../src/jt808/index.ts';
import { makeEnv, registerBody, startGateway, waitFor } from './jt808-helpers.ts';

let gw: GatewayServer<Jt808Frame> | null = null;
afterEach(async () => {
  await gw?.close();
});

it('serves JT/T 808 over TLS', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'iothub-tls-'));
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
    ],
    { stdio: 'ignore' },
  );
  const env = makeEnv();
  gw = await startGateway(env, { tls: { key: readFileSync(key), cert: readFileSync(cert) } });
  const frames: jt808.Jt808Packet[] = [];
  const framer = new jt808.Jt808Framer();
  const socket = tls.connect({ port: gw.port, host: '127.0.0.1', rejectUnauthorized: false });
  socket.on('data', (c: Buffer) =>
    framer.push(c, {
      frame: (f) => {
        const r = jt808.decodeJt808Frame(f);
        if (r.ok) frames.push(r);
      },
      issue: () => undefined,
    }),
  );
  await new Promise<void>((resolve) => socket.once('secureConnect', () => resolve()));
  socket.write(
    jt808.encodeJt808(
      { version: 2013, phone: '013900000080', serial: 1 },
      { type: 'terminal-register', body: registerBody(2013) },
    ),
  );
  const reply = await waitFor(() => frames[0], '0x8100 over TLS');
  expect(reply.message.type).toBe('register-response');
  socket.destroy();
});
