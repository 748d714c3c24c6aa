import { DeviceError } from '../../core/errors.ts';

/** What the kiosk asks the acquirer to expect: one FPS charge for one application. */
export interface ChargeRequest {
  /**
   * The kiosk's idempotency key, one per application, written to disk before the first
   * request. The acquirer creates at most one charge per key: a repeat returns it again.
   */
  readonly key: string;
  /** Integer cents, HKD. */
  readonly amountCents: number;
  /** The bill number printed in the FPS QR (62.01): how the acquirer matches the payer's transfer. */
  readonly billNumber: string;
}

/** `open`: waiting for the payer; `paid`/`declined`: final at the acquirer; `cancelled`: no payment will be accepted. */
export type ChargeState = 'open' | 'paid' | 'declined' | 'cancelled';

export interface Charge {
  readonly key: string;
  readonly amountCents: number;
  readonly billNumber: string;
  readonly state: ChargeState;
  /** The acquirer's transaction reference once paid (for the receipt and a refund). */
  readonly acquirerRef: string | null;
}

/**
 * One confirmation from the acquirer. The same notice may arrive twice (same `noticeId`),
 * and a `paid` notice may arrive after the kiosk cancelled the charge (the payer's bank
 * had already sent the money): the kiosk must treat both as facts, never as new charges.
 */
export interface ChargeNotice {
  readonly noticeId: string;
  readonly key: string;
  readonly state: 'paid' | 'declined';
  readonly amountCents: number;
  readonly acquirerRef: string | null;
}

/**
 * Codes: GATEWAY_STOPPED (not started or stopped), GATEWAY_TIMEOUT (no answer within the
 * request timeout: the request may or may not have reached the acquirer — retry with the
 * same key), GATEWAY_UNREACHABLE (connection refused / reset), GATEWAY_CONFLICT (the key
 * exists with another amount or bill), GATEWAY_UNKNOWN_CHARGE, GATEWAY_PROTOCOL (an answer
 * that is not the acquirer's format).
 */
export class GatewayError extends DeviceError {}

export interface PaymentGatewayEvents {
  notice: ChargeNotice;
  /** The notice channel failed (it keeps retrying); requests may still work. */
  fault: GatewayError;
  recovered: { gateway: string };
}

/**
 * The acquirer behind the FPS QR. Behaviour every implementation (HTTP, twin) honours:
 * - `start()` begins receiving notices; `stop()` ends them and makes every later call
 *   reject with GATEWAY_STOPPED; both idempotent.
 * - `openCharge` is idempotent by key: the same request again returns the same charge in
 *   its current state (already paid, for instance); the same key with another amount or
 *   bill is GATEWAY_CONFLICT. It never creates a second charge for a key.
 * - `cancel` closes an open charge to new payment and returns it; a charge already paid
 *   stays paid (the answer says so). Cancelling twice is harmless.
 * - `charge` reads the acquirer's state of one key (after a restart, a lost notice).
 * - Notices are delivered at least once, in no guaranteed order relative to the answers
 *   of requests, and may repeat.
 */
export interface PaymentGateway {
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  openCharge(req: ChargeRequest): Promise<Charge>;
  cancel(key: string): Promise<Charge>;
  charge(key: string): Promise<Charge>;
  on<K extends keyof PaymentGatewayEvents>(event: K, fn: (payload: PaymentGatewayEvents[K]) => void): () => void;
}
