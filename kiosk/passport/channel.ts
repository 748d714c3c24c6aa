import type { ApduTransport } from '../../drivers/chip/interface.ts';
import { decodeResponse, encodeCommand, swHex, SW_OK, type CommandApdu, type ResponseApdu } from '../../icao/apdu.ts';
import { ChipTransportError, PassportError, type PassportReason } from '../../icao/errors.ts';
import { protectCommand, unprotectResponse, type SmSession } from '../../icao/secure-messaging.ts';

/**
 * The terminal's link to the chip: plain APDUs until access control succeeds, then every
 * APDU through secure messaging. Transport failures (chip removed, reader gone) become
 * CHIP_UNREADABLE; broken secure messaging becomes SM_ERROR.
 */
export class ChipChannel {
  readonly #transport: ApduTransport;
  #sm: SmSession | undefined;

  constructor(transport: ApduTransport) {
    this.#transport = transport;
  }

  get secured(): boolean {
    return this.#sm !== undefined;
  }

  /** Starts (or, after chip authentication, restarts) secure messaging with new keys. */
  secure(session: SmSession): void {
    this.#sm = session;
  }

  async send(cmd: CommandApdu): Promise<ResponseApdu> {
    const sm = this.#sm;
    const raw = await this.#raw(sm ? protectCommand(sm, cmd) : encodeCommand(cmd));
    if (sm) return unprotectResponse(sm, raw);
    try {
      return decodeResponse(raw);
    } catch {
      throw new PassportError('CHIP_UNREADABLE', 'response shorter than a status word');
    }
  }

  /** Sends and requires 9000; any other status word fails with `reason`. */
  async expectOk(cmd: CommandApdu, reason: PassportReason, what: string): Promise<Buffer> {
    const r = await this.send(cmd);
    if (r.sw !== SW_OK) throw new PassportError(reason, `${what}: chip answered ${swHex(r.sw)}`);
    return r.data;
  }

  async #raw(apdu: Uint8Array): Promise<Uint8Array> {
    try {
      return await this.#transport.transmit(apdu);
    } catch (err) {
      const code = (err as { code?: string }).code ?? 'CHIP_IO';
      throw new ChipTransportError(`transport failed (${code})`, { cause: err });
    }
  }
}
