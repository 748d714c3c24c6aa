import type { Clock, TimerHandle } from '../../core/clock.ts';
import { Bus } from '../../core/bus.ts';
import type { SimulatedAcquirer } from './acquirer-sim.ts';
import { GatewayError, type Charge, type ChargeRequest, type PaymentGateway, type PaymentGatewayEvents } from './gateway-interface.ts';

/** How the line to the acquirer misbehaves (test control). */
export type LineFault = 'none' | 'unreachable' | 'hang' | 'lose_answer';

/**
 * The payment gateway twin: the same SimulatedAcquirer the HTTP peer serves, reached
 * in-process. As strict as the real one: answers are asynchronous, nothing works while
 * stopped, a hung line times out on the Clock after `requestTimeoutMs`, and with
 * `lose_answer` the acquirer acts on the request but the answer never comes back (the
 * case idempotency keys exist for). Notices come `noticeDelayMs` after the acquirer
 * sends them.
 */
export class SimulatedGateway implements PaymentGateway {
  readonly name: string;
  readonly #acq: SimulatedAcquirer;
  readonly #clock: Clock;
  readonly #bus = new Bus<PaymentGatewayEvents>();
  readonly #timeoutMs: number;
  readonly #noticeDelayMs: number;
  readonly #timers = new Set<TimerHandle>();
  readonly #pending = new Set<(err: GatewayError) => void>();
  #off: (() => void) | undefined;
  #running = false;
  fault: LineFault = 'none';

  constructor(acq: SimulatedAcquirer, deps: { clock: Clock; name?: string; requestTimeoutMs?: number; noticeDelayMs?: number }) {
    this.#acq = acq;
    this.#clock = deps.clock;
    this.name = deps.name ?? 'sim-gateway';
    this.#timeoutMs = deps.requestTimeoutMs ?? 10_000;
    this.#noticeDelayMs = deps.noticeDelayMs ?? 200;
  }

  async start(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    this.#off = this.#acq.onNotice((n) => this.#later(() => this.#running && this.#bus.emit('notice', n), this.#noticeDelayMs));
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.#off?.();
    this.#off = undefined;
    for (const t of this.#timers) this.#clock.clearTimeout(t);
    this.#timers.clear();
    for (const reject of this.#pending) reject(new GatewayError(this.name, 'GATEWAY_STOPPED', 'gateway stopped during the request'));
    this.#pending.clear();
  }

  openCharge(req: ChargeRequest): Promise<Charge> {
    return this.#request(() => this.#acq.open(req));
  }

  cancel(key: string): Promise<Charge> {
    return this.#request(() => this.#acq.cancel(key));
  }

  charge(key: string): Promise<Charge> {
    return this.#request(() => this.#acq.charge(key));
  }

  on<K extends keyof PaymentGatewayEvents>(event: K, fn: (payload: PaymentGatewayEvents[K]) => void): () => void {
    return this.#bus.on(event, fn);
  }

  #later(fn: () => void, ms: number): void {
    const h = this.#clock.setTimeout(() => {
      this.#timers.delete(h);
      fn();
    }, ms);
    this.#timers.add(h);
  }

  #request(act: () => Charge): Promise<Charge> {
    if (!this.#running) return Promise.reject(new GatewayError(this.name, 'GATEWAY_STOPPED', 'gateway is not running'));
    const fault = this.fault;
    return new Promise<Charge>((resolve, reject) => {
      if (fault === 'unreachable') {
        queueMicrotask(() => reject(new GatewayError(this.name, 'GATEWAY_UNREACHABLE', 'connection refused')));
        return;
      }
      if (fault === 'hang' || fault === 'lose_answer') {
        if (fault === 'lose_answer') {
          try {
            act();
          } catch {
            // the answer is lost whatever it was
          }
        }
        this.#pending.add(reject);
        this.#later(() => {
          this.#pending.delete(reject);
          reject(new GatewayError(this.name, 'GATEWAY_TIMEOUT', `no answer within ${this.#timeoutMs} ms`));
        }, this.#timeoutMs);
        return;
      }
      queueMicrotask(() => {
        try {
          resolve(act());
        } catch (err) {
          reject(err instanceof GatewayError ? new GatewayError(this.name, err.code, err.message) : err);
        }
      });
    });
  }
}
