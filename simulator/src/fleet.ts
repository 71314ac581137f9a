import { type DeviceOptions, type DeviceState, SimulatedDevice } from './device.ts';
import { SimError } from './errors.ts';
import { SimStats, type StatsSnapshot } from './stats.ts';

/**
 * N simulated devices sharing one set of counters. Device i gets index `firstIndex + i` (its
 * phone number / IMEI derive from the bases and that index, so identities are unique and
 * reproducible), source address `sourceAddresses[i % n]`, and starts `i × rampMs / N` ms after
 * `start()` so a big fleet does not log in all in the same millisecond.
 */
export interface FleetOptions extends Omit<DeviceOptions, 'index' | 'phone' | 'imei' | 'stats' | 'localAddress'> {
  count: number;
  /** Index of the first device (identities derive from it). Default 0. */
  firstIndex?: number;
  /** Local source addresses, used round-robin. Default: the system's choice. */
  sourceAddresses?: readonly string[];
  /** Spread the starts over this many ms. Default min(10 s, 2 ms × count). */
  rampMs?: number;
}

export interface FleetSnapshot extends StatsSnapshot {
  devices: number;
  /** Devices by state. */
  states: Record<DeviceState, number>;
  /** Messages awaiting an acknowledgement now. */
  pending: number;
}

export class Fleet {
  readonly devices: SimulatedDevice[] = [];
  readonly stats = new SimStats();
  private readonly rampMs: number;
  private startTimers: NodeJS.Timeout[] = [];
  private started = false;

  constructor(options: FleetOptions) {
    const { count, firstIndex = 0, sourceAddresses, rampMs, ...device } = options;
    if (!Number.isInteger(count) || count < 1) throw new SimError('IOTHUB_ERR_SIM_ARGS', `count ${count}`);
    if (!Number.isInteger(firstIndex) || firstIndex < 0) {
      throw new SimError('IOTHUB_ERR_SIM_ARGS', `firstIndex ${firstIndex}`);
    }
    this.rampMs = rampMs ?? Math.min(10_000, 2 * count);
    if (!Number.isFinite(this.rampMs) || this.rampMs < 0) throw new SimError('IOTHUB_ERR_SIM_ARGS', `rampMs ${rampMs}`);
    const addrs = sourceAddresses !== undefined && sourceAddresses.length > 0 ? sourceAddresses : undefined;
    for (let i = 0; i < count; i++) {
      const o: DeviceOptions = { ...device, index: firstIndex + i, stats: this.stats };
      if (addrs) o.localAddress = addrs[i % addrs.length]!;
      this.devices.push(new SimulatedDevice(o));
    }
  }

  /** Start every device, staggered over `rampMs`. */
  start(): void {
    if (this.started) return;
    this.started = true;
    const n = this.devices.length;
    this.devices.forEach((d, i) => {
      const at = n > 1 ? Math.floor((i * this.rampMs) / n) : 0;
      if (at === 0) d.start();
      else this.startTimers.push(setTimeout(() => d.start(), at));
    });
  }

  /** Resolves once every device is online; rejects after `timeoutMs`. */
  async waitOnline(timeoutMs = 30_000): Promise<void> {
    await Promise.all(this.devices.map((d) => d.waitOnline(timeoutMs)));
  }

  /** Stop every device (see `SimulatedDevice.stop`), in parallel. */
  async stop(options: { drainMs?: number; closeTimeoutMs?: number } = {}): Promise<void> {
    for (const t of this.startTimers) clearTimeout(t);
    this.startTimers = [];
    await Promise.all(this.devices.map((d) => d.stop(options)));
  }

  snapshot(): FleetSnapshot {
    const states: Record<DeviceState, number> = { idle: 0, connecting: 0, login: 0, online: 0, waiting: 0, stopped: 0 };
    let pending = 0;
    for (const d of this.devices) {
      states[d.state]++;
      pending += d.pendingAcks;
    }
    return { ...this.stats.snapshot(), devices: this.devices.length, states, pending };
  }
}
