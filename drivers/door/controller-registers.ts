import { errorCode } from '../../core/errors.ts';
import type { Logger } from '../../core/log.ts';
import { spanOf, type RoleMap } from './roles.ts';
import type { DoorTransport } from './transport.ts';

export interface ControllerRegistersDeps {
  roles: RoleMap;
  transport: DoorTransport;
  /** The watchdog_ms the gate runs with (door.watchdogMs); undefined leaves the controller's own. */
  watchdogMs: number | undefined;
  log: Logger;
  /** One transaction on the shared bus, with the controller's retries. */
  transact<T>(op: () => Promise<T>): Promise<T>;
}

/**
 * The controller's holding registers as the master keeps them (door-io.md: heartbeat,
 * watchdog_ms). The heartbeat counter continues from the value the register holds (a counter
 * that restarted at 1 over a 1 would write no change, and a tripped controller would stay
 * tripped). watchdog_ms is written and verified by reading it back on every (re)connect and
 * whenever the controller shows it restarted: a rebooted controller comes up with its own
 * default (possibly 0 = no watchdog) and a heartbeat register that is not the one we wrote.
 */
export class ControllerRegisters {
  readonly #d: ControllerRegistersDeps;
  /** The last heartbeat value sent, and the last one the controller acknowledged. */
  #sent: number | undefined;
  #acked: number | undefined;
  /** Controller restarts detected (registers back at other values than the master left). */
  restarts = 0;
  /** watchdog_ms read back as configured since the last (re)connect or restart. */
  watchdogVerified = false;

  constructor(d: ControllerRegistersDeps) {
    this.#d = d;
  }

  /** After the link (re)opened: the heartbeat value to continue from (undefined if unreadable). */
  async onConnect(): Promise<number | undefined> {
    this.watchdogVerified = false;
    const r = await this.#read();
    await this.#ensureWatchdog(r?.watchdog);
    this.#sent = this.#acked = r?.heartbeat;
    return r?.heartbeat;
  }

  /** Inside the heartbeat's transaction, around the write. */
  beatSent(value: number): void {
    this.#sent = value;
  }

  beatAcked(value: number): void {
    this.#acked = value;
  }

  /**
   * Periodic read-back. Transactions are serialised, so the heartbeat register holds the last
   * value written (acknowledged, or sent and lost on the way back); anything else, or a
   * watchdog_ms other than configured, means the controller restarted (or was reset by
   * someone else): set it up again. Returns the heartbeat value to continue from then.
   */
  async check(): Promise<number | undefined> {
    const r = await this.#read();
    if (!r) return undefined;
    const { watchdogMs } = this.#d;
    const beatLost = r.heartbeat !== undefined && this.#acked !== undefined && r.heartbeat !== this.#acked && r.heartbeat !== this.#sent;
    const watchdogLost = watchdogMs !== undefined && r.watchdog !== undefined && r.watchdog !== watchdogMs;
    if (!beatLost && !watchdogLost) return undefined;
    this.restarts++;
    this.watchdogVerified = false;
    this.#d.log.warn({ heartbeat: r.heartbeat, expected: this.#acked, watchdogMs: r.watchdog }, 'controller restarted: setting it up again');
    await this.#ensureWatchdog(r.watchdog);
    this.#sent = this.#acked = r.heartbeat;
    return r.heartbeat;
  }

  async #ensureWatchdog(current: number | undefined): Promise<void> {
    const addr = this.#d.roles.holdingRegisters.watchdog_ms;
    const ms = this.#d.watchdogMs;
    if (ms === undefined || addr === undefined) return;
    if (current !== ms) {
      try {
        await this.#d.transact(() => this.#d.transport.writeRegister(addr, ms));
      } catch (err) {
        this.#d.log.warn({ code: errorCode(err) }, 'could not set watchdog_ms');
        return;
      }
    }
    const back = current === ms ? current : (await this.#read())?.watchdog;
    this.watchdogVerified = back === ms;
    if (!this.watchdogVerified) this.#d.log.error({ wrote: ms, readBack: back }, 'watchdog_ms does not read back as written');
  }

  /** Both registers in one FC03; undefined when the controller does not answer it. */
  async #read(): Promise<{ heartbeat: number | undefined; watchdog: number | undefined } | undefined> {
    const roles = this.#d.roles.holdingRegisters;
    const span = spanOf(roles);
    if (!span) return undefined;
    try {
      const values = await this.#d.transact(() => this.#d.transport.readHoldingRegisters(span.start, span.count));
      const at = (role: string): number | undefined => (roles[role] === undefined ? undefined : values[roles[role]! - span.start]);
      return { heartbeat: at('heartbeat'), watchdog: at('watchdog_ms') };
    } catch (err) {
      this.#d.log.debug({ code: errorCode(err) }, 'holding registers not read');
      return undefined;
    }
  }
}
