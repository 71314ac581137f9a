import { describe, expect, it } from 'vitest';
import { EVENT_KINDS } from '../src/events.ts';
import {
  countEvent,
  countLimitHit,
  createGatewayMetrics,
  createMetricsRegistry,
  GATEWAY_LIMITS,
  LATENCY_BUCKETS,
  messageIdLabel,
} from '../src/metrics.ts';

describe('createMetricsRegistry', () => {
  it('gives each instance its own registry (several gateways in one process)', async () => {
    const a = createMetricsRegistry();
    const b = createMetricsRegistry();
    const ma = createGatewayMetrics(a);
    const mb = createGatewayMetrics(b);
    ma.connections.labels('jt808').inc(3);
    mb.connections.labels('jt808').inc(1);
    expect(await a.metrics()).toContain('iothub_gateway_connections{protocol="jt808"} 3');
    expect(await b.metrics()).toContain('iothub_gateway_connections{protocol="jt808"} 1');
  });

  it('has no process metrics unless asked; collects them when asked, in several registries', async () => {
    expect((await createMetricsRegistry().metrics()).trim()).toBe('');
    const a = createMetricsRegistry({ defaultMetrics: true });
    const b = createMetricsRegistry({ defaultMetrics: true, defaultMetricsPrefix: 'iothub_' });
    expect(await a.metrics()).toContain('process_cpu_user_seconds_total');
    expect(await a.metrics()).toContain('nodejs_heap_size_used_bytes');
    expect(await b.metrics()).toContain('iothub_process_resident_memory_bytes');
  });

  it('adds default labels to every series', async () => {
    const r = createMetricsRegistry({ defaultLabels: { service: 'gateway' } });
    createGatewayMetrics(r).eventsPublishedTotal.labels('location').inc();
    expect(await r.metrics()).toContain('iothub_gateway_events_published_total{kind="location",service="gateway"} 1');
  });
});

describe('createGatewayMetrics', () => {
  it('registers the documented names, types and labels', async () => {
    const r = createMetricsRegistry();
    const m = createGatewayMetrics(r);
    m.connections.labels('jimi').set(2);
    m.connectionsTotal.labels('jimi').inc();
    m.connectionsClosedTotal.labels('jimi', 'idle-timeout').inc();
    m.framesInTotal.labels('jt808', messageIdLabel('jt808', 0x0200)).inc(5);
    m.framesOutTotal.labels('jt808', messageIdLabel('jt808', 0x8001)).inc(5);
    m.decodeErrorsTotal.labels('jt808', 'IOTHUB_ERR_FRAME_CHECKSUM').inc();
    m.ackLatencySeconds.labels('jt808').observe(0.004);
    m.busPublishSeconds.labels('ok').observe(0.002);
    countLimitHit(m, 'jimi', 'message-rate');
    countEvent(m, 'alarm', 2);
    const text = await r.metrics();
    const expected = [
      '# TYPE iothub_gateway_connections gauge',
      'iothub_gateway_connections{protocol="jimi"} 2',
      '# TYPE iothub_gateway_connections_accepted_total counter',
      'iothub_gateway_connections_accepted_total{protocol="jimi"} 1',
      'iothub_gateway_connections_closed_total{protocol="jimi",reason="idle-timeout"} 1',
      'iothub_gateway_frames_in_total{protocol="jt808",message_id="0x0200"} 5',
      'iothub_gateway_frames_out_total{protocol="jt808",message_id="0x8001"} 5',
      'iothub_gateway_decode_errors_total{protocol="jt808",code="IOTHUB_ERR_FRAME_CHECKSUM"} 1',
      '# TYPE iothub_gateway_ack_latency_seconds histogram',
      'iothub_gateway_ack_latency_seconds_bucket{le="0.005",protocol="jt808"} 1',
      'iothub_gateway_ack_latency_seconds_bucket{le="0.0025",protocol="jt808"} 0',
      'iothub_gateway_ack_latency_seconds_count{protocol="jt808"} 1',
      '# TYPE iothub_gateway_bus_publish_seconds histogram',
      'iothub_gateway_bus_publish_seconds_count{outcome="ok"} 1',
      'iothub_gateway_limit_hits_total{protocol="jimi",limit="message-rate"} 1',
      'iothub_gateway_events_published_total{kind="alarm"} 2',
    ];
    for (const line of expected) expect(text).toContain(line);
  });

  it('accepts a prefix; creating the same metrics twice in one registry is an error', () => {
    const r = createMetricsRegistry();
    createGatewayMetrics(r, { prefix: 'x_' });
    expect(r.getSingleMetric('x_frames_in_total')).toBeDefined();
    expect(() => createGatewayMetrics(r, { prefix: 'x_' })).toThrow(/already been registered/);
  });

  it('latency buckets are increasing and include the 20 ms target', () => {
    expect([...LATENCY_BUCKETS].sort((a, b) => a - b)).toEqual([...LATENCY_BUCKETS]);
    expect(LATENCY_BUCKETS).toContain(0.02);
  });

  it('limit and kind label values are closed sets', () => {
    expect(GATEWAY_LIMITS).toEqual([
      'idle-timeout',
      'frame-size',
      'pending-outbound',
      'message-rate',
      'max-connections',
    ]);
    expect(EVENT_KINDS.length).toBeGreaterThan(5);
  });
});

describe('messageIdLabel', () => {
  it('formats JT/T 808 ids with 4 hex digits and Jimi protocol numbers with 2', () => {
    expect(messageIdLabel('jt808', 0x0200)).toBe('0x0200');
    expect(messageIdLabel('jt808', 0x8001)).toBe('0x8001');
    expect(messageIdLabel('jt808', 0x0200)).toBe('0x0200');
    expect(messageIdLabel('jimi', 0x12)).toBe('0x12');
    expect(messageIdLabel('jimi', 0x8a)).toBe('0x8a');
  });

  it('collapses unknown ids into one label value', () => {
    expect(messageIdLabel('jt808', 0xabcd, false)).toBe('unknown');
    expect(messageIdLabel('jimi', 0xee, false)).toBe('unknown');
  });
});
