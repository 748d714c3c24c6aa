import { randomBytes } from 'node:crypto';
import type { Clock } from '../../core/clock.ts';
import { EgateError } from '../../core/errors.ts';
import { readCredentials, verifyTechnician } from '../cli/credentials.ts';
import { LoginLockout, type LockoutLimits } from '../cli/lockout.ts';

/**
 * The counter officer's login and decisions. Officers use the technician credential design
 * (cli/credentials.ts: scrypt-hashed PIN or key file, 0600) in a file of their own, which is
 * what gives them the officer role: a technician cannot decide an arrival, an officer cannot
 * open a door. Failed logins lock like the technicians' (cli/lockout.ts). Sessions end after
 * `idleMs` without an action, on the monotonic clock. Every login, refused login, logout
 * and decision is journalled as `officer_action` — the officer id, never the PIN.
 * Codes: OFFICER_LOCKED, OFFICER_REFUSED, OFFICER_NO_SESSION, OFFICER_BAD_REQUEST.
 */
export class OfficerError extends EgateError {}

export type OfficerDecision = 'accept' | 'retake' | 'refer';

export interface OfficerDeskDeps {
  credentialsPath: string;
  lockoutPath: string;
  limits: LockoutLimits;
  /** The seat's journal (method form: a Journal or the kiosk host's append). */
  journal: { append(type: 'officer_action', data: { officer: string; action: string; arrival?: string; reason?: string | null }): unknown };
  clock: Clock;
  idleMs: number;
}

interface Session {
  officer: string;
  lastMono: number;
}

export class OfficerDesk {
  readonly #d: OfficerDeskDeps;
  readonly #lockout: LoginLockout;
  readonly #sessions = new Map<string, Session>();

  constructor(deps: OfficerDeskDeps) {
    this.#d = deps;
    this.#lockout = new LoginLockout(deps.lockoutPath, deps.clock, deps.limits);
  }

  /** Returns a session token for the page; OFFICER_LOCKED or OFFICER_REFUSED otherwise. */
  async login(officer: string, pin: string): Promise<string> {
    const lock = this.#lockout.check(officer);
    if (lock.locked) {
      this.#journal(officer, 'login_locked', {});
      throw new OfficerError('OFFICER_LOCKED', `login locked until ${new Date(lock.until).toISOString()}`);
    }
    const ok = await verifyTechnician(readCredentials(this.#d.credentialsPath), officer, 'pin', pin);
    if (!ok) {
      this.#lockout.failure(officer);
      this.#journal(officer, 'login_refused', {});
      throw new OfficerError('OFFICER_REFUSED', 'wrong officer id or PIN');
    }
    this.#lockout.success(officer);
    const token = randomBytes(24).toString('base64url');
    this.#sessions.set(token, { officer, lastMono: this.#d.clock.monotonic() });
    this.#journal(officer, 'login', {});
    return token;
  }

  logout(session: string): void {
    const s = this.#sessions.get(session);
    if (!s) return;
    this.#sessions.delete(session);
    this.#journal(s.officer, 'logout', {});
  }

  /** The officer of a live session (and the session's idle time restarts), or undefined. */
  officerOf(session: string): string | undefined {
    try {
      return this.#live(session).officer;
    } catch {
      return undefined;
    }
  }

  /** The officer's decision on an arrival; journalled before it takes effect. Returns the officer id. */
  decide(session: string, arrival: string, decision: OfficerDecision, reason: string | null = null): string {
    const s = this.#live(session);
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(arrival) || !['accept', 'retake', 'refer'].includes(decision)) {
      throw new OfficerError('OFFICER_BAD_REQUEST', 'unknown arrival id form or decision');
    }
    if (reason !== null && (typeof reason !== 'string' || reason.length > 200)) throw new OfficerError('OFFICER_BAD_REQUEST', 'reason is at most 200 characters');
    this.#journal(s.officer, decision, { arrival, reason });
    return s.officer;
  }

  #live(session: string): Session {
    const s = this.#sessions.get(session);
    const now = this.#d.clock.monotonic();
    if (!s || now - s.lastMono > this.#d.idleMs) {
      if (s) {
        this.#sessions.delete(session);
        this.#journal(s.officer, 'session_expired', {});
      }
      throw new OfficerError('OFFICER_NO_SESSION', 'log in again');
    }
    s.lastMono = now;
    return s;
  }

  #journal(officer: string, action: string, extra: { arrival?: string; reason?: string | null }): void {
    // what was typed as an id is journalled only when it has an id's form (a PIN typed there is not)
    const id = /^[A-Za-z0-9._-]{1,32}$/.test(officer) && !/^[0-9]{6,12}$/.test(officer) ? officer : 'invalid-id';
    this.#d.journal.append('officer_action', { officer: id, action, ...extra });
  }
}
