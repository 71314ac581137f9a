import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { type AdminServer, type HealthReport, startAdminServer } from '../src/admin.ts';
import { createLogger } from '../src/log.ts';
import { createGatewayMetrics, createMetricsRegistry } from '../src/metrics.ts';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function http(port: number, path: string, method = 'GET'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const servers: AdminServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start(over: Partial<Parameters<typeof startAdminServer>[0]> = {}) {
  const registry = createMetricsRegistry();
  const metrics = createGatewayMetrics(registry);
  let ready = false;
  let health: HealthReport = { status: 'ok', connections: 0 };
  const server = await startAdminServer({
    port: 0,
    host: '127.0.0.1',
    registry,
    health: () => health,
    ready: () => ready,
    ...over,
  });
  servers.push(server);
  return {
    server,
    metrics,
    setReady: (r: boolean) => {
      ready = r;
    },
    setHealth: (h: HealthReport) => {
      health = h;
    },
  };
}

describe('startAdminServer', () => {
  it('binds an ephemeral port and serves Prometheus text on GET /metrics', async () => {
    const { server, metrics } = await start();
    expect(server.port).toBeGreaterThan(0);
    metrics.framesInTotal.labels('jt808', '0x0200').inc(7);
    const r = await http(server.port, '/metrics');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toContain('text/plain');
    expect(r.headers['content-type']).toContain('version=0.0.4');
    expect(r.body).toContain('iothub_gateway_frames_in_total{protocol="jt808",message_id="0x0200"} 7');
  });

  it('GET /health answers 200 with the JSON report (also when degraded)', async () => {
    const { server, setHealth } = await start();
    let r = await http(server.port, '/health');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toContain('application/json');
    expect(JSON.parse(r.body)).toEqual({ status: 'ok', connections: 0 });
    setHealth({ status: 'degraded', bus: 'unavailable' });
    r = await http(server.port, '/health');
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toEqual({ status: 'degraded', bus: 'unavailable' });
  });

  it('GET /ready answers 503 until ready, then 200', async () => {
    const { server, setReady } = await start();
    let r = await http(server.port, '/ready');
    expect(r.status).toBe(503);
    expect(JSON.parse(r.body)).toEqual({ ready: false });
    setReady(true);
    r = await http(server.port, '/ready?verbose=1');
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toEqual({ ready: true });
  });

  it('accepts async health and readiness callbacks', async () => {
    const { server } = await start({
      health: async () => ({ status: 'ok', async: true }),
      ready: async () => true,
    });
    expect(JSON.parse((await http(server.port, '/health')).body)).toEqual({ status: 'ok', async: true });
    expect((await http(server.port, '/ready')).status).toBe(200);
  });

  it('404 with a stable code for other paths, 405 for other methods, HEAD without a body', async () => {
    const { server } = await start();
    for (const path of ['/', '/metricsx', '/health/extra', '/nope']) {
      const r = await http(server.port, path);
      expect(r.status).toBe(404);
      expect(JSON.parse(r.body)).toEqual({ error: 'IOTHUB_ERR_ADMIN_NOT_FOUND', message: 'no such admin endpoint' });
    }
    const post = await http(server.port, '/metrics', 'POST');
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
    expect(JSON.parse(post.body).error).toBe('IOTHUB_ERR_ADMIN_METHOD');
    const head = await http(server.port, '/health', 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
  });

  it('a throwing callback gives 500 with a code and a log line; the server keeps serving', async () => {
    const lines: string[] = [];
    const logger = createLogger({ service: 't', destination: { write: (s: string) => lines.push(s) } });
    const { server } = await start({
      logger,
      health: () => {
        throw new Error('health broke');
      },
    });
    const r = await http(server.port, '/health');
    expect(r.status).toBe(500);
    expect(JSON.parse(r.body).error).toBe('IOTHUB_ERR_ADMIN_INTERNAL');
    expect(lines.join('')).toContain('IOTHUB_ERR_ADMIN_INTERNAL');
    expect(lines.join('')).toContain('health broke');
    expect((await http(server.port, '/metrics')).status).toBe(200);
  });

  it('two servers run side by side with their own registries', async () => {
    const a = await start();
    const b = await start();
    a.metrics.connections.labels('jimi').set(11);
    b.metrics.connections.labels('jimi').set(22);
    expect((await http(a.server.port, '/metrics')).body).toContain('iothub_gateway_connections{protocol="jimi"} 11');
    expect((await http(b.server.port, '/metrics')).body).toContain('iothub_gateway_connections{protocol="jimi"} 22');
  });

  it('close() stops listening, is idempotent, and a taken port is reported', async () => {
    const { server } = await start();
    await expect(
      startAdminServer({
        port: server.port,
        host: '127.0.0.1',
        registry: createMetricsRegistry(),
        health: () => ({ status: 'ok' }),
        ready: () => true,
      }),
    ).rejects.toThrow(/EADDRINUSE/);
    await server.close();
    await server.close();
    await expect(http(server.port, '/health')).rejects.toThrow(/ECONNREFUSED/);
  });
});
