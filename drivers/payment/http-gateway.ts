import type { Clock, TimerHandle } from '../../core/clock.ts';
import { Bus } from '../../core/bus.ts';
import { GatewayError, type Charge, type ChargeNotice, type ChargeRequest, type PaymentGateway, type PaymentGatewayEvents } from './gateway-interface.ts';

export interface HttpGatewayOptions {
  /** Base URL of the acquirer's API (acquirer-http.ts documents it). */
  url: string;
  name?: string;
  requestTimeoutMs?: number;
  /** How often notices are fetched: the kiosk sits behind NAT, so it polls rather than takes webhooks. */
  pollMs?: number;
}

const STATES = new Set(['open', 'paid', 'declined', 'cancelled']);

function isCharge(v: unknown): v is Charge {
  const c = v as Charge;
  return !!c && typeof c.key === 'string' && Number.isSafeInteger(c.amountCents) && typeof c.billNumber === 'string' && STATES.has(c.state) && (c.acquirerRef === null || typeof c.acquirerRef === 'string');
}

function isNotice(v: unknown): v is ChargeNotice {
  const n = v as ChargeNotice;
  return !!n && typeof n.noticeId === 'string' && typeof n.key === 'string' && (n.state === 'paid' || n.state === 'declined') && Number.isSafeInteger(n.amountCents);
}

/**
 * The real payment-gateway driver: JSON over HTTP(S) to the acquirer, the idempotency key
 * in the Idempotency-Key header, every request bounded by `requestTimeoutMs` on the Clock
 * (then GATEWAY_TIMEOUT: the caller retries with the same key), notices polled from a
 * cursor that starts at 0 each run (at-least-once: a restarted kiosk sees old notices
 * again, and the payment desk treats them as the facts they are).
 */
export class HttpPaymentGateway implements PaymentGateway {
  readonly name: string;
  readonly #o: Required<HttpGatewayOptions>;
  readonly #clock: Clock;
  readonly #bus = new Bus<PaymentGatewayEvents>();
  readonly #inflight = new Set<AbortController>();
  #poll: TimerHandle | undefined;
  #cursor = 0;
  #polling = false;
  #faulted = false;
  #running = false;

  constructor(opts: HttpGatewayOptions, deps: { clock: Clock }) {
    this.name = opts.name ?? 'fps-gateway';
    this.#o = { name: this.name, requestTimeoutMs: 10_000, pollMs: 1_000, ...opts };
    this.#clock = deps.clock;
  }

  async start(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    this.#poll = this.#clock.setInterval(() => void this.#pollOnce(), this.#o.pollMs);
    void this.#pollOnce();
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.#clock.clearInterval(this.#poll);
    this.#poll = undefined;
    for (const c of this.#inflight) c.abort(new GatewayError(this.name, 'GATEWAY_STOPPED', 'gateway stopped during the request'));
    this.#inflight.clear();
  }

  async openCharge(req: ChargeRequest): Promise<Charge> {
    return this.#charge(await this.#call('POST', '/v1/charges', { amountCents: req.amountCents, billNumber: req.billNumber }, req.key));
  }

  async cancel(key: string): Promise<Charge> {
    return this.#charge(await this.#call('POST', `/v1/charges/${encodeURIComponent(key)}/cancel`));
  }

  async charge(key: string): Promise<Charge> {
    return this.#charge(await this.#call('GET', `/v1/charges/${encodeURIComponent(key)}`));
  }

  on<K extends keyof PaymentGatewayEvents>(event: K, fn: (payload: PaymentGatewayEvents[K]) => void): () => void {
    return this.#bus.on(event, fn);
  }

  #charge(v: unknown): Charge {
    if (!isCharge(v)) throw new GatewayError(this.name, 'GATEWAY_PROTOCOL', 'answer is not a charge');
    return v;
  }

  async #pollOnce(): Promise<void> {
    if (!this.#running || this.#polling) return;
    this.#polling = true;
    try {
      const out = (await this.#call('GET', `/v1/notices?after=${this.#cursor}`)) as { notices?: unknown; next?: unknown };
      if (!Array.isArray(out.notices) || !Number.isSafeInteger(out.next)) throw new GatewayError(this.name, 'GATEWAY_PROTOCOL', 'answer is not a notice page');
      if (this.#faulted) {
        this.#faulted = false;
        this.#bus.emit('recovered', { gateway: this.name });
      }
      for (const n of out.notices) if (isNotice(n) && this.#running) this.#bus.emit('notice', n);
      this.#cursor = out.next as number;
    } catch (err) {
      if (this.#running && !this.#faulted) {
        this.#faulted = true;
        this.#bus.emit('fault', err instanceof GatewayError ? err : new GatewayError(this.name, 'GATEWAY_PROTOCOL', String(err)));
      }
    } finally {
      this.#polling = false;
    }
  }

  async #call(method: string, path: string, body?: unknown, key?: string): Promise<unknown> {
    if (!this.#running) throw new GatewayError(this.name, 'GATEWAY_STOPPED', 'gateway is not running');
    const ctl = new AbortController();
    this.#inflight.add(ctl);
    const timer = this.#clock.setTimeout(() => ctl.abort(new GatewayError(this.name, 'GATEWAY_TIMEOUT', `no answer within ${this.#o.requestTimeoutMs} ms`)), this.#o.requestTimeoutMs);
    try {
      const res = await fetch(`${this.#o.url}${path}`, {
        method,
        signal: ctl.signal,
        headers: { 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const out = (await res.json()) as { error?: unknown };
      if (!res.ok) {
        const code = typeof out?.error === 'string' && out.error.startsWith('GATEWAY_') ? out.error : 'GATEWAY_PROTOCOL';
        throw new GatewayError(this.name, code, `acquirer answered ${res.status}`);
      }
      return out;
    } catch (err) {
      if (ctl.signal.aborted && ctl.signal.reason instanceof GatewayError) throw ctl.signal.reason;
      if (err instanceof GatewayError) throw err;
      throw new GatewayError(this.name, 'GATEWAY_UNREACHABLE', `request failed: ${(err as Error).message}`, { cause: err });
    } finally {
      this.#clock.clearTimeout(timer);
      this.#inflight.delete(ctl);
    }
  }
}
