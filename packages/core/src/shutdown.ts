/**
 * Graceful shutdown: on SIGTERM / SIGINT run the service's async handler once (stop accepting,
 * flush the bus, close connections …), then exit 0; exit 1 when the handler fails or has not
 * finished within `timeoutMs` (default 10 s, issue #3). A second signal while shutting down exits
 * at once (Ctrl-C twice).
 *
 * Testable without killing the test process: inject `exit` and a `signals` source (any
 * EventEmitter; default `process`).
 */
import type { Logger } from 'pino';

export const SHUTDOWN_ERROR_CODES = {
  /** The shutdown handler did not finish within `timeoutMs`: the process exits anyway (code 1). */
  IOTHUB_ERR_SHUTDOWN_TIMEOUT: 'shutdown timed out',
  /** The shutdown handler threw or rejected (exit code 1). */
  IOTHUB_ERR_SHUTDOWN_FAILED: 'shutdown handler failed',
} as const;
export type ShutdownErrorCode = keyof typeof SHUTDOWN_ERROR_CODES;

export interface SignalSource {
  on(event: NodeJS.Signals, listener: () => void): unknown;
  off(event: NodeJS.Signals, listener: () => void): unknown;
}

export interface ShutdownOptions {
  signals?: readonly NodeJS.Signals[];
  timeoutMs?: number;
  logger?: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** Default `process.exit`. */
  exit?: (code: number) => void;
  /** Default `process`. */
  source?: SignalSource;
  /** A second signal during shutdown exits at once with code 1 (default true). */
  forceOnSecondSignal?: boolean;
}

export interface ShutdownHandle {
  /** Start the shutdown as if a signal arrived (e.g. after a fatal error); same promise on every call. */
  trigger(reason?: string): Promise<void>;
  /** Remove the signal listeners (the handler will not run on signals any more). */
  dispose(): void;
  /** True once the shutdown has started. */
  readonly started: boolean;
}

export function onShutdown(
  handler: (reason: string) => Promise<void> | void,
  options: ShutdownOptions = {},
): ShutdownHandle {
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  const timeoutMs = options.timeoutMs ?? 10_000;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const source: SignalSource = options.source ?? process;
  const log = options.logger;
  const forceOnSecond = options.forceOnSecondSignal ?? true;

  let running: Promise<void> | null = null;
  let timer: NodeJS.Timeout | undefined;
  let exited = false;
  const exitOnce = (code: number) => {
    clearTimeout(timer);
    if (exited) return;
    exited = true;
    exit(code);
  };

  function trigger(reason = 'requested'): Promise<void> {
    if (running !== null) return running;
    log?.info({ reason, timeoutMs }, 'shutting down');
    const timedOut = new Promise<'timeout'>((resolve) => {
      // Not unref'd on purpose: a handler waiting on something that can no longer happen (the
      // event loop would otherwise run dry and exit 0) still ends with the forced exit 1.
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    const work = (async () => {
      await handler(reason);
      return 'done' as const;
    })();
    running = Promise.race([work, timedOut]).then(
      (outcome) => {
        if (outcome === 'timeout') {
          log?.error(
            { code: 'IOTHUB_ERR_SHUTDOWN_TIMEOUT', timeoutMs },
            'shutdown did not finish in time: forcing exit',
          );
          exitOnce(1);
        } else {
          log?.info('shutdown complete');
          exitOnce(0);
        }
      },
      (err: unknown) => {
        log?.error({ err, code: 'IOTHUB_ERR_SHUTDOWN_FAILED' }, 'shutdown handler failed');
        exitOnce(1);
      },
    );
    return running;
  }

  const onSignal = (signal: NodeJS.Signals) => {
    if (running === null) {
      void trigger(signal);
      return;
    }
    if (forceOnSecond) {
      log?.warn({ signal }, 'second signal during shutdown: exiting now');
      exitOnce(1);
    } else {
      log?.info({ signal }, 'already shutting down');
    }
  };
  const listeners = signals.map((s) => [s, () => onSignal(s)] as const);
  for (const [s, l] of listeners) source.on(s, l);

  return {
    trigger,
    dispose() {
      for (const [s, l] of listeners) source.off(s, l);
    },
    get started() {
      return running !== null;
    },
  };
}
