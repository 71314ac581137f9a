/**
 * A tiny TCP proxy on 127.0.0.1 for the gateway-kill test: each client connection is forwarded to the
 * first target port that accepts a connection (tried in order), so when the first gateway dies, the
 * reconnecting devices land on the next one. Either side closing closes the other.
 */
import net from 'node:net';

export interface FailoverProxy {
  readonly port: number;
  /** Client connections forwarded so far, by target port. */
  readonly forwarded: Map<number, number>;
  close(): Promise<void>;
}

function connectFirst(host: string, ports: readonly number[], i: number, done: (s: net.Socket | null) => void): void {
  const port = ports[i];
  if (port === undefined) {
    done(null);
    return;
  }
  const s = net.connect({ host, port });
  const fail = () => {
    s.destroy();
    connectFirst(host, ports, i + 1, done);
  };
  s.once('error', fail);
  s.once('connect', () => {
    s.off('error', fail);
    done(s);
  });
}

export async function startFailoverProxy(targets: readonly number[], host = '127.0.0.1'): Promise<FailoverProxy> {
  const forwarded = new Map<number, number>();
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    client.pause();
    connectFirst(host, targets, 0, (upstream) => {
      if (upstream === null || client.destroyed) {
        upstream?.destroy();
        client.destroy();
        return;
      }
      const port = upstream.remotePort ?? 0;
      forwarded.set(port, (forwarded.get(port) ?? 0) + 1);
      sockets.add(upstream);
      upstream.on('close', () => {
        sockets.delete(upstream);
        client.destroy();
      });
      upstream.on('error', () => upstream.destroy());
      client.on('close', () => upstream.destroy());
      client.pipe(upstream);
      upstream.pipe(client);
      client.resume();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  const address = server.address();
  const port = address !== null && typeof address === 'object' ? address.port : 0;
  return {
    port,
    forwarded,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
