/**
 * A contactless chip reader reached with APDUs (PC/SC in the gate, a simulated chip in
 * tests and the demo). The passport logic depends only on `ApduTransport`.
 */
export interface ApduTransport {
  /**
   * Sends one command APDU and resolves with the whole response, status word last.
   * Rejects with a DeviceError: `CHIP_ABSENT` when no chip is connected, `CHIP_REMOVED`
   * when the chip left the field during the exchange, `CHIP_IO` for any other transport
   * failure. Never resolves with a partial response on removal. Calls are serialised by
   * the caller: a second transmit before the first settles rejects with `CHIP_BUSY`.
   */
  transmit(apdu: Uint8Array): Promise<Uint8Array>;
}

export type ChipReaderEvent = 'present' | 'removed';

export interface ChipReader extends ApduTransport {
  /** The reader's name as the driver reports it (PC/SC reader name, or "simulated"). */
  readonly name: string;
  /** True while a chip is in the field (whether or not it is connected). */
  readonly cardPresent: boolean;
  /**
   * Starts watching the reader; resolves once the reader is known. Idempotent. A card
   * already in the field emits `present` after start resolves.
   */
  start(): Promise<void>;
  /**
   * Powers up and connects the chip in the field (exclusive). Rejects with `CHIP_ABSENT`
   * when there is none. Connecting again while connected is a no-op.
   */
  connect(): Promise<void>;
  /** Drops the connection and resets the chip (its secure-messaging session ends). */
  disconnect(): Promise<void>;
  /** `present` when a chip enters the field, `removed` when it leaves (a pending transmit rejects first). */
  on(event: ChipReaderEvent, listener: () => void): this;
  off(event: ChipReaderEvent, listener: () => void): this;
  /** Stops watching and releases the reader; later calls reject. Safe to call twice. */
  close(): Promise<void>;
}
