import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { DoorConfig } from '../../config/sections/door.ts';
import { Bus } from '../../core/bus.ts';
import type { Clock, TimerHandle } from '../../core/clock.ts';
import { DeviceError } from '../../core/errors.ts';
import { silentLogger, type Logger } from '../../core/log.ts';
import { shiftChange, shiftSnapshot, type FromDoorProcess, type ToDoorProcess } from './door-process-protocol.ts';
import { DoorErrorCode, type DoorController, type DoorControllerOptions, type DoorEvents, type DoorLayout, type DoorSnapshot } from './interface.ts';
import type { DoorLinkStats } from './polled-controller.ts';
import { resolveRoles } from './roles.ts';

const ENTRY = fileURLToPath(new URL('./door-process-entry.mjs', import.meta.url));
const EMPTY: DoorSnapshot = { inputs: {}, registers: {}, outputs: {}, at: 0 };
/** How often the gate tells the door process that its control loop is alive. */
const ALIVE_EVERY_MS = 100;
/** The heartbeat stops once the control loop was last reported alive this long ago (the binding's own bound). */
const ALIVE_MS = 1000;
/** Bound on the door process's orderly stop before it is killed. */
const STOP_MS = 3000;

export interface ProcessDoorDeps extends DoorControllerOptions {
  clock: Clock;
  log?: Logger;
}

/**
 * The Modbus door controller run in a process of its own (door-process.ts), seen by the gate
 * through the same DoorController interface: the last snapshot is kept here and the process's
 * events are emitted again in order; a command is a message the process answers. A door
 * process that dies is a controller fault (the heartbeat died with it, so the controller's
 * watchdog closes the doors) and is started again after reconnectIntervalMs.
 */
export class ProcessDoorController implements DoorController {
  readonly layout: DoorLayout;
  readonly stats: DoorLinkStats = { polls: 0, failedPolls: 0, retries: 0, linkOpens: 0, maxOwnLagMs: 0 };
  readonly #config: DoorConfig;
  readonly #deps: ProcessDoorDeps;
  readonly #log: Logger;
  readonly #bus = new Bus<DoorEvents>();
  readonly #pending = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  #next = 1;
  #child: ChildProcess | undefined;
  /** Add to the door process's performance.now() to get ours (measured at `ready`). */
  #offset = 0;
  #snapshot: DoorSnapshot = EMPTY;
  #healthy = false;
  #running = false;
  #aliveTimer: TimerHandle | undefined;
  #respawnTimer: TimerHandle | undefined;
  #started: (() => void) | undefined;

  constructor(config: DoorConfig, deps: ProcessDoorDeps) {
    resolveRoles(config.layout, config.roles); // a bad role map fails here, in the gate
    this.layout = config.layout;
    this.#config = config;
    this.#deps = deps;
    this.#log = (deps.log ?? silentLogger()).child({ part: 'door' });
    this.#bus.onListenerError((err, event) => this.#log.error({ err, event }, 'door listener threw'));
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
    const ready = new Promise<void>((resolve) => (this.#started = resolve));
    this.#aliveTimer = this.#deps.clock.setInterval(() => this.#tellAlive(), ALIVE_EVERY_MS);
    this.#spawn();
    return ready;
  }

  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    const { clock } = this.#deps;
    clock.clearInterval(this.#aliveTimer);
    clock.clearTimeout(this.#respawnTimer);
    this.#started?.();
    const child = this.#child;
    this.#child = undefined;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      const stopped = new Promise<void>((resolve) => child.on('message', (m: FromDoorProcess) => m.type === 'stopped' && resolve()));
      this.#send(child, { type: 'stop' });
      const t = setTimeout(() => child.kill('SIGKILL'), STOP_MS);
      await Promise.race([stopped, exited]);
      child.disconnect?.(); // the process exits on disconnect
      await exited;
      clearTimeout(t);
    }
    this.#healthy = false;
    this.#failPending(new DeviceError('door', DoorErrorCode.OFFLINE, 'controller stopped'));
  }

  setOutputs(changes: Partial<Record<string, boolean>>): Promise<void> {
    const child = this.#child;
    if (!this.#running || !child) return Promise.reject(new DeviceError('door', DoorErrorCode.OFFLINE, 'controller not running'));
    const id = this.#next++;
    // The master in the child bounds every attempt; a child that stops answering (stuck, not
    // dead) must not leave the gate waiting on a door command for ever.
    const c = this.#config;
    const boundMs = c.responseTimeoutMs * (c.retries + 1) + c.faultAfterMs;
    return new Promise<void>((resolve, reject) => {
      const timer = this.#deps.clock.setTimeout(() => {
        if (!this.#pending.delete(id)) return;
        reject(new DeviceError('door', DoorErrorCode.TIMEOUT, `door process did not answer a command within ${boundMs} ms`));
      }, boundMs);
      const done = (): void => this.#deps.clock.clearTimeout(timer);
      this.#pending.set(id, { resolve: () => (done(), resolve()), reject: (e) => (done(), reject(e)) });
      this.#send(child, { type: 'set', id, changes });
    });
  }

  #tellAlive(): void {
    if (this.#running && this.#child) this.#send(this.#child, { type: 'alive', alive: this.#deps.isControlLoopAlive() });
  }

  #send(child: ChildProcess, m: ToDoorProcess): void {
    if (child.connected) child.send(m, (err) => err && this.#log.debug({ err: err.message }, 'door process message not sent'));
  }

  #spawn(): void {
    const child = fork(ENTRY, [], { serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [] });
    this.#child = child;
    child.on('message', (m: FromDoorProcess) => this.#child === child && this.#onMessage(child, m));
    child.on('error', (err) => this.#log.error({ err: err.message }, 'door process failed'));
    child.on('exit', (code, signal) => {
      if (this.#child !== child) return;
      this.#child = undefined;
      if (!this.#running) return;
      // The heartbeat died with the process: the controller's watchdog closes the doors.
      this.#log.error({ code, signal }, 'door process exited; starting it again');
      this.#fault(DoorErrorCode.OFFLINE, `door process exited (${signal ?? code})`);
      this.#failPending(new DeviceError('door', DoorErrorCode.OFFLINE, 'door process exited'));
      this.#respawnTimer = this.#deps.clock.setTimeout(() => this.#running && this.#spawn(), this.#config.reconnectIntervalMs);
    });
  }

  #onMessage(child: ChildProcess, m: FromDoorProcess): void {
    switch (m.type) {
      case 'ready':
        this.#offset = performance.now() - m.now;
        this.#tellAlive();
        this.#send(child, { type: 'start', config: this.#config, aliveMs: ALIVE_MS, logLevel: this.#log.level });
        return;
      case 'started':
        this.#started?.();
        this.#started = undefined;
        return;
      case 'stopped':
        return;
      case 'done': {
        const p = this.#pending.get(m.id);
        this.#pending.delete(m.id);
        if (m.error) p?.reject(new DeviceError('door', m.error.code, m.error.message.replace(/^door: /, '')));
        else p?.resolve();
        return;
      }
      case 'change': {
        const change = shiftChange(m.change, this.#offset);
        this.#snapshot = change.snapshot;
        this.#bus.emit('change', change);
        return;
      }
      case 'poll':
        this.#snapshot = shiftSnapshot(m.snapshot, this.#offset);
        this.#healthy = true;
        Object.assign(this.stats, m.stats);
        this.#bus.emit('poll', this.#snapshot);
        return;
      case 'recovered':
        this.#snapshot = shiftSnapshot(m.snapshot, this.#offset);
        this.#healthy = true;
        this.#bus.emit('recovered', this.#snapshot);
        return;
      case 'fault':
        this.#fault(m.code, m.message.replace(/^door: /, ''));
        return;
      case 'log':
        this.#relay(m.line);
        return;
    }
  }

  #fault(code: string, message: string): void {
    this.#healthy = false;
    this.#bus.emit('fault', new DeviceError('door', code, message));
    this.#started?.();
    this.#started = undefined;
  }

  #failPending(err: Error): void {
    for (const p of this.#pending.values()) p.reject(err);
    this.#pending.clear();
  }

  /** A pino line from the door process, logged again through the gate's logger at its level. */
  #relay(line: string): void {
    try {
      const { level, msg, time: _t, pid: _p, hostname: _h, ...rest } = JSON.parse(line) as Record<string, unknown>;
      const log = this.#deps.log ?? this.#log; // the process's lines already carry part: door
      const name = log.levels.labels[level as number] ?? 'info';
      (log as unknown as Record<string, (o: object, m?: string) => void>)[name]!.call(log, rest, msg as string | undefined);
    } catch {
      this.#log.warn('unreadable log line from the door process');
    }
  }
}
