import { Bus } from '../../core/bus.ts';
import type { Clock, TimerHandle } from '../../core/clock.ts';
import { DeviceError, errorCode } from '../../core/errors.ts';
import { silentLogger, type Logger } from '../../core/log.ts';
import { DoorErrorCode, type DoorController, type DoorEvents, type DoorLayout, type DoorSnapshot } from './interface.ts';
import { contiguousRuns, roleError, spanOf, type RoleMap, type RoleTable } from './roles.ts';
import type { DoorTransport } from './transport.ts';
import { LoopLagMeter } from '../../core/honest-wait.ts';
import { BusQueue } from './bus-queue.ts';
import { ControllerRegisters } from './controller-registers.ts';

export interface PolledControllerOptions {
  layout: DoorLayout;
  roles: RoleMap;
  transport: DoorTransport;
  clock: Clock;
  isControlLoopAlive: () => boolean;
  log?: Logger;
  retries: number;
  pollIntervalMs: number;
  heartbeatIntervalMs: number;
  faultAfterMs: number;
  reconnectIntervalMs: number;
  /** Written to the watchdog_ms register on every (re)connect when set. */
  watchdogMs?: number;
}

/** Counters for health reporting and the bench (scripts/bench-door.ts). */
export interface DoorLinkStats {
  /** Complete polls (every table read). */
  polls: number;
  failedPolls: number;
  /** Attempts that were repeated after a timeout or a bad frame. */
  retries: number;
  /** Times the link was opened (the first open included). */
  linkOpens: number;
  /** Longest hold-up of our own event loop seen by the fault watch (ms), not counted as silence. */
  maxOwnLagMs: number;
}

const EMPTY: DoorSnapshot = { inputs: {}, registers: {}, outputs: {}, at: 0 };
const RETRYABLE = new Set<string>([DoorErrorCode.TIMEOUT, DoorErrorCode.BAD_FRAME]);
/** Every this many polls the holding registers are read back (a restarted controller, ~1 s at 10 Hz). */
const REGISTER_CHECK_POLLS = 10;

/**
 * The DoorController behaviour shared by the Modbus master and the in-process twin: one
 * transaction at a time on the bus, retries, polling with change events, the heartbeat that
 * only a live control loop sends, fault after `faultAfterMs` without an answer, and
 * reconnecting a lost link. Only the transport differs between the two.
 */
export class PolledDoorController implements DoorController {
  readonly layout: DoorLayout;
  readonly #o: PolledControllerOptions;
  readonly #bus = new Bus<DoorEvents>();
  readonly #log: Logger;
  #snapshot: DoorSnapshot = EMPTY;
  #running = false;
  #healthy = false;
  #faulted = false;
  #lastGoodAt = 0;
  /** Last time the controller answered anything (a read, a write, an exception). */
  #lastAnswerAt = 0;
  /** A poll failed (retries spent) since the last complete one. */
  #pollFailed = false;
  #lastError: DeviceError | undefined;
  readonly #queue = new BusQueue();
  #lag: LoopLagMeter | undefined;
  #heartbeatDue = 0;
  #pollTimer: TimerHandle | undefined;
  #watchTimer: TimerHandle | undefined;
  #heartbeatTimer: TimerHandle | undefined;
  #heartbeat = 0;
  #heartbeatPending = false;
  /** A heartbeat was acknowledged since the link (re)opened: no output is written before. */
  #beatAcked = false;
  readonly #regs: ControllerRegisters;
  #pollLoop: Promise<void> = Promise.resolve();
  #started: (() => void) | undefined;
  readonly stats: DoorLinkStats = { polls: 0, failedPolls: 0, retries: 0, linkOpens: 0, maxOwnLagMs: 0 };

  constructor(o: PolledControllerOptions) {
    this.#o = o;
    this.layout = o.layout;
    this.#log = (o.log ?? silentLogger()).child({ part: 'door' });
    this.#regs = new ControllerRegisters({ roles: o.roles, transport: o.transport, watchdogMs: o.watchdogMs, log: this.#log, transact: (op) => this.#transact(op) });
    this.#bus.onListenerError((err, event) => this.#log.error({ err, event }, 'door listener threw'));
    o.transport.onLost((err) => {
      this.#lastError = err as DeviceError;
      this.#log.warn({ code: errorCode(err) }, 'controller link lost; reconnecting');
    });
  }

  get healthy(): boolean {
    return this.#healthy;
  }

  snapshot(): DoorSnapshot {
    return this.#snapshot;
  }

  on<K extends keyof DoorEvents>(event: K, fn: (payload: DoorEvents[K]) => void): () => void {
    return this.#bus.on(event, fn);
  }

  start(): Promise<void> {
    if (this.#running) return Promise.resolve();
    this.#running = true;
    this.#lastGoodAt = this.#o.clock.monotonic();
    this.#lastAnswerAt = this.#lastGoodAt;
    this.#pollFailed = false;
    const ready = new Promise<void>((resolve) => (this.#started = resolve));
    const { clock } = this.#o;
    const watchMs = Math.max(10, Math.min(50, this.#o.faultAfterMs / 10));
    this.#lag = new LoopLagMeter(clock, watchMs);
    this.#watchTimer = clock.setInterval(() => this.#checkFault(), watchMs);
    this.#scheduleBeat(this.#o.heartbeatIntervalMs);
    this.#schedulePoll(0);
    return ready;
  }

  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    const { clock } = this.#o;
    clock.clearTimeout(this.#pollTimer);
    clock.clearInterval(this.#watchTimer);
    clock.clearTimeout(this.#heartbeatTimer);
    this.#started?.();
    // Closing first makes a transaction in flight fail now instead of after its retries.
    await this.#o.transport.close();
    await this.#pollLoop;
    await this.#queue.drained();
    await this.#o.transport.close();
    this.#healthy = false;
  }

  async setOutputs(changes: Partial<Record<string, boolean>>): Promise<void> {
    const writes = new Map<number, boolean>();
    for (const [role, value] of Object.entries(changes)) {
      const addr = this.#o.roles.coils[role];
      if (addr === undefined) throw roleError(`no coil role '${role}' in the ${this.layout} layout`);
      if (typeof value !== 'boolean') throw roleError(`coil role '${role}' needs true or false`);
      writes.set(addr, value);
    }
    if (!this.#running || this.#faulted) throw new DeviceError('door', DoorErrorCode.OFFLINE, 'controller offline; command not sent');
    // A controller tripped by a dead master refuses doors until a new heartbeat: write nothing before one.
    if (!this.#beatAcked) throw new DeviceError('door', DoorErrorCode.OFFLINE, 'no heartbeat acknowledged since the link opened; command not sent');
    // Commands go ahead of queued polls: the door must not wait behind reads.
    for (const run of contiguousRuns(writes)) {
      await this.#transact(() => this.#o.transport.writeCoils(run.start, run.values), true);
    }
  }

  /**
   * One transaction on the bus at a time, with retries for what a retry can fix. Urgent ones
   * (heartbeat, door commands) are served before queued polls, and a poll being retried
   * lets them in between its attempts, so a slow or silent line never holds up the heartbeat
   * for more than one attempt.
   */
  #transact<T>(op: () => Promise<T>, urgent = false): Promise<T> {
    let left = this.#o.retries;
    const answered = (): void => {
      this.#lastAnswerAt = this.#o.clock.monotonic();
    };
    const timed = (): Promise<T> =>
      op().then(
        (v) => (answered(), v),
        (err) => {
          if (err instanceof DeviceError && err.code === DoorErrorCode.EXCEPTION) answered();
          throw err;
        },
      );
    return this.#queue.run(timed, urgent, (err) => {
      const e = err instanceof DeviceError ? err : new DeviceError('door', DoorErrorCode.PORT_LOST, String(err), { cause: err });
      this.#lastError = e;
      if (left-- <= 0 || !RETRYABLE.has(e.code) || !this.#running) return e;
      this.stats.retries++;
      return undefined;
    });
  }

  #schedulePoll(ms: number): void {
    if (!this.#running) return;
    this.#pollTimer = this.#o.clock.setTimeout(() => {
      this.#pollLoop = this.#pollOnce();
    }, ms);
  }

  async #pollOnce(): Promise<void> {
    const { clock, transport } = this.#o;
    const began = clock.monotonic();
    if (!transport.isOpen) {
      const opened = await this.#connect();
      this.#schedulePoll(opened ? 0 : this.#o.reconnectIntervalMs);
      return;
    }
    try {
      this.#apply(await this.#readAll());
      if (this.stats.polls % REGISTER_CHECK_POLLS === 0) this.#continueBeatFrom(await this.#regs.check());
    } catch (err) {
      this.stats.failedPolls++;
      this.#pollFailed = true;
      this.#log.debug({ code: errorCode(err) }, 'poll failed');
      if (errorCode(err) === DoorErrorCode.PORT_LOST) await transport.close();
    }
    this.#schedulePoll(Math.max(0, this.#o.pollIntervalMs - (clock.monotonic() - began)));
  }

  async #connect(): Promise<boolean> {
    try {
      await this.#o.transport.open();
    } catch (err) {
      this.#lastError = err as DeviceError;
      return false;
    }
    this.stats.linkOpens++;
    this.#log.info('controller link open');
    this.#beatAcked = false;
    // watchdog_ms written and read back; the heartbeat continues from the register's value.
    this.#continueBeatFrom(await this.#regs.onConnect());
    this.#beat();
    return true;
  }

  #continueBeatFrom(value: number | undefined): void {
    if (value !== undefined) this.#heartbeat = value;
  }

  async #readAll(): Promise<DoorSnapshot> {
    const { roles, transport } = this.#o;
    const outputs = await this.#readBits(roles.coils, (s) => transport.readCoils(s.start, s.count));
    const inputs = await this.#readBits(roles.inputs, (s) => transport.readDiscreteInputs(s.start, s.count));
    const registers: Record<string, number> = {};
    const span = spanOf(roles.inputRegisters);
    if (span) {
      const values = await this.#transact(() => transport.readInputRegisters(span.start, span.count));
      for (const [role, addr] of Object.entries(roles.inputRegisters)) registers[role] = values[addr - span.start] ?? 0;
    }
    return { inputs, registers, outputs, at: this.#o.clock.monotonic() };
  }

  async #readBits(table: RoleTable, read: (s: { start: number; count: number }) => Promise<boolean[]>): Promise<Record<string, boolean>> {
    const out: Record<string, boolean> = {};
    const span = spanOf(table);
    if (!span) return out;
    const bits = await this.#transact(() => read(span));
    for (const [role, addr] of Object.entries(table)) out[role] = bits[addr - span.start] === true;
    return out;
  }

  #apply(next: DoorSnapshot): void {
    // Only a complete poll counts as an answer: a controller that acknowledges heartbeats
    // but refuses every read leaves the gate blind, which is a fault.
    this.#lastGoodAt = next.at;
    this.#pollFailed = false;
    this.stats.polls++;
    const prev = this.#snapshot;
    this.#snapshot = next;
    if (prev.at !== 0) {
      for (const [role, value] of Object.entries(next.inputs)) {
        if (prev.inputs[role] !== value) this.#bus.emit('change', { kind: 'input', role, value, snapshot: next });
      }
      for (const [role, value] of Object.entries(next.registers)) {
        if (prev.registers[role] !== value) this.#bus.emit('change', { kind: 'register', role, value, snapshot: next });
      }
      for (const [role, value] of Object.entries(next.outputs)) {
        if (prev.outputs[role] !== value) this.#bus.emit('change', { kind: 'output', role, value, snapshot: next });
      }
    }
    this.#healthy = true;
    if (this.#faulted) {
      this.#faulted = false;
      this.#log.info('controller answers again');
      this.#bus.emit('recovered', next);
    }
    this.#bus.emit('poll', next);
    this.#started?.();
    this.#started = undefined;
  }

  #checkFault(): void {
    // Time our own loop was held up is not the controller's silence: its answer may be
    // waiting unread behind this very timer (issue 11.3(d)).
    const lag = this.#lag?.sample() ?? 0;
    this.#lastGoodAt += lag;
    this.#lastAnswerAt += lag;
    if (lag > this.stats.maxOwnLagMs) this.stats.maxOwnLagMs = Math.round(lag);
    if (!this.#running || this.#faulted) return;
    // A fault is the controller's, not ours: it answered nothing for faultAfterMs (silent,
    // unplugged, garbling every frame), or it answers but a poll failed and no complete poll
    // came for faultAfterMs (it refuses the reads: the gate is blind). Polls that complete
    // late because this machine is busy are not a controller fault.
    const now = this.#o.clock.monotonic();
    const silent = now - this.#lastAnswerAt >= this.#o.faultAfterMs;
    const blind = this.#pollFailed && now - this.#lastGoodAt >= this.#o.faultAfterMs;
    if (!silent && !blind) return;
    this.#faulted = true;
    this.#healthy = false;
    const cause = this.#lastError;
    const code = cause?.code ?? DoorErrorCode.TIMEOUT;
    const err = new DeviceError('door', code, `controller silent for ${this.#o.faultAfterMs} ms (${cause?.message ?? 'no answer'})`, { cause });
    this.#log.error({ code }, 'controller fault');
    this.#bus.emit('fault', err);
    this.#started?.();
    this.#started = undefined;
  }

  #scheduleBeat(ms: number): void {
    if (!this.#running) return;
    this.#heartbeatDue = this.#o.clock.monotonic() + ms;
    this.#heartbeatTimer = this.#o.clock.setTimeout(() => {
      const late = this.#o.clock.monotonic() - this.#heartbeatDue;
      this.#scheduleBeat(this.#o.heartbeatIntervalMs);
      // Held up ourselves, the control loop's own tick is as late as this timer and may be
      // due in this same turn: judge its liveness after it had its turn, not before.
      if (late > this.#o.heartbeatIntervalMs / 2 && !this.#o.isControlLoopAlive()) this.#o.clock.setTimeout(() => this.#beat(), 0);
      else this.#beat();
    }, ms);
  }

  #beat(): void {
    const hb = this.#o.roles.holdingRegisters.heartbeat;
    if (!this.#running || hb === undefined || this.#heartbeatPending || !this.#o.transport.isOpen) return;
    if (!this.#o.isControlLoopAlive()) return;
    this.#heartbeatPending = true;
    this.#heartbeat = (this.#heartbeat % 0xffff) + 1;
    const value = this.#heartbeat;
    const write = async (): Promise<void> => {
      this.#regs.beatSent(value);
      await this.#o.transport.writeRegister(hb, value);
      this.#regs.beatAcked(value);
      this.#beatAcked = true;
    };
    this.#transact(write, true)
      .catch((err) => this.#log.debug({ code: errorCode(err) }, 'heartbeat not acknowledged'))
      .finally(() => (this.#heartbeatPending = false));
  }
}
