/**
 * Circuit breaker of one push destination (PUSH_URL or OFFLINE_CMD_PUSH_URL).
 *
 * closed ── `threshold` consecutive failed requests ──► open (for `openMs`)
 * open ── the period ends ──► half-open: exactly one request (the probe) goes out
 * half-open ── probe succeeds ──► closed (everyone resumes at once)
 *           ── probe fails ──► open again, for twice as long (at most `maxOpenMs`)
 *
 * While it is open no lane sends to the destination: the dispatcher backs off instead of hammering a
 * receiver that is down, and resumes by itself. Pure state machine: time is passed in.
 */
export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerOptions {
  threshold: number;
  openMs: number;
  maxOpenMs: number;
  /** Called on every state change. */
  onChange?: (state: BreakerState) => void;
}

export interface FailureReason {
  code: string;
  detail: string;
}

export type Gate = { go: true; probe: boolean } | { go: false; until: number | null };

export class CircuitBreaker {
  #state: BreakerState = 'closed';
  #failures = 0;
  #openMs: number;
  #openUntil = 0;
  #probing = false;
  #lastFailure: FailureReason | undefined;
  readonly #waiters = new Set<() => void>();
  readonly #o: BreakerOptions;

  constructor(options: BreakerOptions) {
    this.#o = options;
    this.#openMs = options.openMs;
  }

  get state(): BreakerState {
    return this.#state;
  }

  get lastFailure(): FailureReason | undefined {
    return this.#lastFailure;
  }

  /** May a request go now? `until`: when to ask again (null: wait for a state change). */
  tryAcquire(now: number): Gate {
    if (this.#state === 'closed') return { go: true, probe: false };
    if (this.#state === 'open') {
      if (now < this.#openUntil) return { go: false, until: this.#openUntil };
      this.#set('half-open');
    }
    if (this.#probing) return { go: false, until: null };
    this.#probing = true;
    return { go: true, probe: true };
  }

  success(probe: boolean): void {
    if (probe) this.#probing = false;
    this.#failures = 0;
    this.#openMs = this.#o.openMs;
    if (this.#state !== 'closed') this.#set('closed');
  }

  failure(probe: boolean, reason: FailureReason, now: number): void {
    this.#lastFailure = reason;
    if (probe) {
      this.#probing = false;
      this.#openMs = Math.min(this.#openMs * 2, this.#o.maxOpenMs);
      this.#open(now);
      return;
    }
    this.#failures++;
    if (this.#state === 'closed' && this.#failures >= this.#o.threshold) this.#open(now);
  }

  /** A probe that was granted but never sent (the dispatcher is stopping): let the next caller probe. */
  release(probe: boolean): void {
    if (!probe) return;
    this.#probing = false;
    this.#wake();
  }

  /** Register a callback for the next state change (returns its remover). */
  onNextChange(cb: () => void): () => void {
    this.#waiters.add(cb);
    return () => this.#waiters.delete(cb);
  }

  #open(now: number): void {
    this.#openUntil = now + this.#openMs;
    this.#set('open');
  }

  #set(state: BreakerState): void {
    const changed = state !== this.#state;
    this.#state = state;
    if (changed) this.#o.onChange?.(state);
    this.#wake();
  }

  #wake(): void {
    const ws = [...this.#waiters];
    this.#waiters.clear();
    for (const w of ws) w();
  }
}
