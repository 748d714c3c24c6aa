import { referenceIdentifier, type Identifier } from './identify-port.ts';

/**
 * The optional tap at the corridor entry (issue 19 §1): a resident not enrolled for token-free
 * crossing taps a card or phone; once the token checks out, the next traveller the cameras
 * pick up is compared 1:1 with that token's reference instead of searched 1:N. A tap no track
 * claims within `windowMs` lapses (the traveller did not walk in); a track is paired at most
 * once, and only a track that appeared after the tap was read (a traveller already in the
 * corridor cannot borrow the tap of the one behind).
 */
export interface Tap {
  /** Pseudonym of the token's subject. */
  subject: string;
  /** The token's enrolled reference (memory only, for this crossing). */
  reference: Float32Array;
  threshold: number;
  /** The token type, journalled as the crossing's token_type. */
  via: string;
}

export class TapPairing {
  readonly #pending: { tap: Tap; at: number }[] = [];
  readonly #paired = new Map<number, { identifier: Identifier; via: string }>();

  constructor(readonly windowMs = 6000) {}

  add(tap: Tap, at: number): void {
    this.#pending.push({ tap, at });
  }

  /** A track seen for the first time at `now`: it takes the oldest tap still waiting, if any. */
  claim(track: number, now: number): void {
    while (this.#pending.length > 0 && now - this.#pending[0]!.at > this.windowMs) this.#pending.shift();
    const p = this.#pending.shift();
    if (!p) return;
    this.#paired.set(track, { identifier: referenceIdentifier(p.tap.subject, p.tap.reference, p.tap.threshold), via: p.tap.via });
  }

  pairedWith(track: number): { identifier: Identifier; via: string } | undefined {
    return this.#paired.get(track);
  }

  /** Tracks that have left: their pairing (and the reference it holds) is dropped. */
  forget(live: ReadonlySet<number>): void {
    for (const id of this.#paired.keys()) if (!live.has(id)) this.#paired.delete(id);
  }

  get waiting(): number {
    return this.#pending.length;
  }
}
