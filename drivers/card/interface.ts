import type { DeviceError, EgateError } from '../../core/errors.ts';
import type { SmartIdFiles } from './smart-id-read.ts';

/** A card presented to the reader: the credential bytes it carries (tokens.md §1). Traveller data: never log. */
export interface CardRead {
  readonly credential: Uint8Array;
  readonly reader: string;
  /** Clock time (ms since epoch) when the credential was read. */
  readonly at: number;
  /**
   * A smart identity card (smart-id.md): its files as read (`credential` is EF.CRED) and
   * INTERNAL AUTHENTICATE, which works while the card stays on the reader and rejects once
   * it has left. Absent on a reader that only yields credential bytes.
   */
  readonly smartId?: {
    readonly files: SmartIdFiles;
    /** How long SELECT + the three files took on this reader (ms, for the measured figures). */
    readonly readMs: number;
    authenticate(challenge: Uint8Array): Promise<Uint8Array>;
  };
}

export interface CardReaderEvents {
  /** A card was presented and read; not repeated while it stays on the reader. */
  card: CardRead;
  /** The card left the reader (after a 'card', or after a failed read). */
  removed: { reader: string; at: number };
  /** A card was there but could not be read (CARD_READ_FAILED, CARD_OVERSIZE, CARD_UNREADABLE for a smart-ID card); the reader keeps working. */
  error: EgateError;
  /** The reader itself is gone or unusable; once per outage. */
  fault: DeviceError;
  /** The reader is back after a fault. */
  recovered: { reader: string; at: number };
}

/**
 * A contactless identity-card reader. PC/SC comes in a later issue; the gate uses this
 * interface now, against the simulated reader. Behaviour:
 * - `start()` resolves after the first attempt to reach the reader, even when it fails
 *   (that is a 'fault'); `stop()` closes it, emits nothing afterwards; both idempotent.
 * - One 'card' per presentation; the same credential presented again within `dedupeMs`
 *   of its last sighting (a card bounced off the reader) is not a new 'card', though its
 *   'removed' still is reported so the gate knows the field is empty.
 * - A credential longer than `maxLength` bytes is refused (CARD_OVERSIZE) before anyone
 *   decodes it.
 */
export interface CardReader {
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** True while a card is on the reader. */
  readonly hasCard: boolean;
  readonly faulted: boolean;
  on<K extends keyof CardReaderEvents>(event: K, fn: (payload: CardReaderEvents[K]) => void): () => void;
}
