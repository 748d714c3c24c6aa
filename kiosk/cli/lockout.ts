import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { assertStrictModes } from '../strict-modes.ts';
import { dirname } from 'node:path';
import type { Clock } from '../clock.ts';
import { bootClockOf, type BootClock } from '../../core/boot-clock.ts';

export interface LockoutLimits {
  /** Consecutive failures of one technician id before it is locked. */
  maxFailures: number;
  /** Failures on the socket (any id) within `lockoutMs` before every login is locked. */
  socketMaxFailures: number;
  lockoutMs: number;
}

interface Counter {
  failures: number;
  /** Epoch ms of the first failure counted (socket) or of the last one (technician). */
  since: number;
  lockedUntil?: number;
  /** The lock's end on the boot clock, and the boot it belongs to: wall steps do not move it. */
  bootUntil?: number;
  bootId?: string;
  /** The socket window's start on the boot clock (a wall step must not restart the count). */
  bootSince?: number;
}

interface State {
  version: 1;
  technicians: Record<string, Counter>;
  socket: Counter;
}

export type LockCheck = { locked: false } | { locked: true; until: number; scope: 'technician' | 'socket' };

/** Ids tracked at most; the oldest are forgotten first (the socket counter still catches spraying). */
const MAX_TRACKED = 1000;

/**
 * Failed-login counters, per technician id and for the socket as a whole, written to disk
 * after every change so that restarting the gate does not hand an attacker fresh tries.
 * Ids are kept as short hashes: whatever someone typed at the prompt (a PIN in the wrong
 * field, say) never lands on disk. Times are the Clock's wall time.
 */
export class LoginLockout {
  #state: State;
  readonly #boot: BootClock;

  /**
   * Lock ends and the socket window are held on the boot clock as well as in wall time: a wall
   * clock stepped forward (NTP, an operator) — even across a restart of the gate — must not end a
   * lock early or restart the count. After a reboot only the wall time is left to go by.
   */
  constructor(
    private readonly path: string,
    private readonly clock: Clock,
    private readonly limits: LockoutLimits,
    boot?: BootClock,
  ) {
    this.#boot = boot ?? bootClockOf(clock);
    this.#state = this.#load();
  }

  check(id: string): LockCheck {
    const s = this.#state.socket;
    const socketUntil = this.#until(s);
    if (socketUntil !== undefined) return { locked: true, until: socketUntil, scope: 'socket' };
    const k = key(id);
    const t = this.#state.technicians[k];
    const until = t ? this.#until(t) : undefined;
    if (until !== undefined) return { locked: true, until, scope: 'technician' };
    return { locked: false };
  }

  /** The wall time a lock ends, if it is still on by the wall clock or by the boot clock. */
  #until(c: Counter): number | undefined {
    if (c.lockedUntil === undefined) return undefined;
    const now = this.clock.now();
    if (c.lockedUntil > now) return c.lockedUntil;
    const bootLeft = c.bootId === this.#boot.bootId && c.bootUntil !== undefined ? c.bootUntil - this.#boot.now() : -1;
    return bootLeft > 0 ? now + bootLeft : undefined;
  }

  #lock(c: Counter, now: number): void {
    c.lockedUntil = now + this.limits.lockoutMs;
    c.bootId = this.#boot.bootId;
    c.bootUntil = this.#boot.now() + this.limits.lockoutMs;
  }

  /** The socket's counting window has run out (by the boot clock within one boot, else by the wall clock). */
  #windowOver(s: Counter, now: number): boolean {
    if (s.bootId === this.#boot.bootId && s.bootSince !== undefined) return this.#boot.now() - s.bootSince > this.limits.lockoutMs;
    return now - s.since > this.limits.lockoutMs;
  }

  #startWindow(s: Counter, now: number): void {
    s.failures = 0;
    s.since = now;
    s.bootId = this.#boot.bootId;
    s.bootSince = this.#boot.now();
  }

  /** Counts a failed login; returns the lock it caused, if any. */
  failure(id: string): LockCheck {
    const now = this.clock.now();
    const { maxFailures, socketMaxFailures } = this.limits;
    const k = key(id);
    const t = this.#state.technicians[k] ?? { failures: 0, since: now };
    // A lock that has run out starts the count again.
    if (t.lockedUntil !== undefined && this.#until(t) === undefined) {
      t.failures = 0;
      delete t.lockedUntil;
      delete t.bootUntil;
    }
    t.failures++;
    t.since = now;
    if (t.failures >= maxFailures) {
      this.#lock(t, now);
      t.failures = 0;
    }
    delete this.#state.technicians[k];
    this.#state.technicians[k] = t;
    const s = this.#state.socket;
    if (this.#windowOver(s, now)) this.#startWindow(s, now);
    s.failures++;
    if (s.failures >= socketMaxFailures) {
      this.#lock(s, now);
      this.#startWindow(s, now);
    }
    this.#trim();
    this.#save();
    return this.check(id);
  }

  /**
   * A technician's word for a colleague (`egate technician unlock`): clears that id's count and
   * lock, and a socket-wide lock. Returns whether anything was locked.
   */
  unlock(id: string): boolean {
    const now = this.clock.now();
    const t = this.#state.technicians[key(id)];
    const s = this.#state.socket;
    const was = (t !== undefined && this.#until(t) !== undefined) || this.#until(s) !== undefined;
    delete this.#state.technicians[key(id)];
    delete s.lockedUntil;
    delete s.bootUntil;
    this.#startWindow(s, now);
    this.#save();
    return was;
  }

  /** A good login clears that technician's count (the socket's count runs out on its own). */
  success(id: string): void {
    if (delete this.#state.technicians[key(id)]) this.#save();
  }

  #trim(): void {
    const ids = Object.keys(this.#state.technicians);
    for (const k of ids.slice(0, Math.max(0, ids.length - MAX_TRACKED))) {
      delete this.#state.technicians[k];
    }
  }

  #load(): State {
    // counters another user could rewrite would hand them fresh PIN guesses: refused (FileModeError)
    assertStrictModes(this.path, 'technician lockout file', { secret: true });
    try {
      const v = JSON.parse(readFileSync(this.path, 'utf8')) as State;
      if (v.version === 1 && typeof v.technicians === 'object' && typeof v.socket?.failures === 'number') return v;
    } catch {
      // Missing or unreadable: start clean. An attacker who can delete this file can also
      // rewrite the credentials beside it, so there is nothing more to defend here.
    }
    return { version: 1, technicians: {}, socket: { failures: 0, since: this.clock.now(), bootId: this.#boot.bootId, bootSince: this.#boot.now() } };
  }

  #save(): void {
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    const tmp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.#state) + '\n', { mode: 0o600 });
    chmodSync(tmp, 0o600);
    renameSync(tmp, this.path);
  }
}

function key(id: string): string {
  return createHash('sha256').update(id).digest('hex').slice(0, 16);
}

/**
 * When each of `ids` is locked until (epoch ms), read from the gate's lockout file beside the
 * credentials, for `egate technician list` on the gate's machine; ids not locked are absent.
 */
export function lockedUntil(lockoutPath: string, ids: readonly string[], now: number): Record<string, number> {
  let state: Partial<State>;
  try {
    state = JSON.parse(readFileSync(lockoutPath, 'utf8')) as Partial<State>;
  } catch {
    return {};
  }
  const out: Record<string, number> = {};
  for (const id of ids) {
    const until = state.technicians?.[key(id)]?.lockedUntil;
    if (until !== undefined && until > now) out[id] = until;
  }
  return out;
}
