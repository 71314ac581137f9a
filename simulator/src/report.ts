import type { FleetSnapshot } from './fleet.ts';

/** Human-readable lines for the command line (and anyone printing fleet figures). */

function ms(v: number | null): string {
  if (v === null) return '-';
  return v < 10 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : Math.round(v).toString();
}

function errors(e: Record<string, number>): string {
  const keys = Object.keys(e).sort();
  return keys.length === 0 ? '0' : keys.map((k) => `${k}=${e[k]}`).join(' ');
}

/** One progress line: elapsed, devices online, sent, acked, rate over the last interval, latency. */
export function progressLine(s: FleetSnapshot, elapsedS: number, sentPerS: number): string {
  return (
    `[${elapsedS.toFixed(0)}s] online ${s.states.online}/${s.devices} sent ${s.sent} acked ${s.acknowledged} ` +
    `pending ${s.pending} ${Math.round(sentPerS)}/s ack p50 ${ms(s.latency.p50)} ms p99 ${ms(s.latency.p99)} ms ` +
    `errors ${s.errorCount} reconnects ${s.reconnects}`
  );
}

/** The end-of-run summary (several lines). */
export function summaryText(s: FleetSnapshot, label: string, elapsedS: number): string {
  const k = s.sentByKind;
  const a = s.acknowledgedByKind;
  const kinds = (Object.keys(k) as (keyof typeof k)[])
    .filter((n) => k[n] > 0)
    .map((n) => `${n} ${k[n]}/${a[n]}`)
    .join(', ');
  return [
    `summary ${label}: ${s.devices} devices, ${elapsedS.toFixed(1)} s`,
    `  sent          ${s.sent} (${kinds || 'nothing'}; sent/acknowledged)`,
    `  acknowledged  ${s.acknowledged} of ${s.expectingAck} expected, unacknowledged ${s.unacknowledged}`,
    `  throughput    ${(s.sent / Math.max(elapsedS, 0.001)).toFixed(1)} messages/s, ${s.positions} positions`,
    `  ack latency   p50 ${ms(s.latency.p50)} ms, p90 ${ms(s.latency.p90)} ms, p99 ${ms(s.latency.p99)} ms, max ${ms(s.latency.max)} ms (${s.latency.count} samples)`,
    `  commands      ${s.commands} answered`,
    `  connections   ${s.connects}, reconnects ${s.reconnects}`,
    `  errors        ${s.errorCount}${s.errorCount > 0 ? ` (${errors(s.errors)})` : ''}`,
  ].join('\n');
}
