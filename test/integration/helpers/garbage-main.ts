/**
 * The garbage clients (garbage-clients.ts) in a process of their own, so their 1,000 sockets and
 * random writes do not share the event loop of the gateway under test. Started by
 * `forkGarbageClients` (IPC): options in `IOTHUB_IT_GARBAGE` (JSON); on the `stop` message it stops
 * and answers with the final counts, then exits.
 */
import { type GarbageOptions, startGarbageClients } from './garbage-clients.ts';

export interface GarbageReport {
  connects: number;
  errors: number;
  bytesSent: number;
  closedByServer: number[];
}

const options = JSON.parse(process.env.IOTHUB_IT_GARBAGE ?? '{}') as GarbageOptions;
const clients = startGarbageClients(options);
const report = (): GarbageReport => ({
  connects: clients.connects(),
  errors: clients.errors(),
  bytesSent: clients.bytesSent(),
  closedByServer: [...clients.closedByServer],
});
process.on('message', (m: unknown) => {
  if (m !== 'stop') return;
  void clients.stop().then(() => {
    process.send?.({ type: 'report', report: report() }, () => process.exit(0));
  });
});
process.on('disconnect', () => process.exit(0));
process.send?.({ type: 'started' });
