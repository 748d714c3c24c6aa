import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock.ts';
import { readCredentials, TECHNICIAN_ID, verifyTechnician } from './credentials.ts';
import { CliError } from './errors.ts';
import { LoginLockout, type LockoutLimits } from './lockout.ts';

export interface AuthOptions {
  credentialsPath: string;
  clock: Clock;
  limits: LockoutLimits;
  /** A session ends after this long without a command. */
  sessionIdleMs: number;
}

export type LoginOutcome =
  | { ok: true; technician: string; session: string }
  | { ok: false; code: 'LOGIN_FAILED' | 'LOCKED_OUT'; message: string; lockedUntil?: number };

/**
 * Technician logins and their sessions. Logins run one at a time, so opening many
 * connections at once cannot get more guesses in before the lockout counts them. The
 * credentials file is read at every login: `egate technician add` needs no restart.
 * Sessions live in memory only; a gate restart ends them all.
 */
export class TechnicianAuth {
  readonly #lockout: LoginLockout;
  readonly #sessions = new Map<string, { technician: string; lastUsed: number }>();
  #queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly opts: AuthOptions) {
    this.#lockout = new LoginLockout(`${opts.credentialsPath}.lockout.json`, opts.clock, opts.limits);
  }

  login(id: string, kind: 'pin' | 'key', secret: string): Promise<LoginOutcome> {
    const run = this.#queue.then(() => this.#login(id, kind, secret));
    this.#queue = run.catch(() => {});
    return run;
  }

  async #login(id: string, kind: 'pin' | 'key', secret: string): Promise<LoginOutcome> {
    const lock = this.#lockout.check(id);
    if (lock.locked) return locked(lock.until, lock.scope, this.opts.clock.now());
    const file = readCredentials(this.opts.credentialsPath);
    const good = TECHNICIAN_ID.test(id) && secret.length <= 1024 && (await verifyTechnician(file, id, kind, secret));
    if (!good) {
      const after = this.#lockout.failure(id);
      if (after.locked) return locked(after.until, after.scope, this.opts.clock.now());
      return { ok: false, code: 'LOGIN_FAILED', message: 'login failed: unknown technician or wrong PIN/key' };
    }
    this.#lockout.success(id);
    const session = randomBytes(32).toString('base64url');
    // idle time on the monotonic clock: a wall clock stepped back must not stretch a session (sessions live in memory only)
    this.#sessions.set(session, { technician: id, lastUsed: this.opts.clock.monotonic() });
    return { ok: true, technician: id, session };
  }

  /** The technician behind a session token; LOGIN_REQUIRED when unknown or idle too long. */
  technician(session: string | undefined): string {
    const s = session === undefined ? undefined : this.#sessions.get(session);
    const now = this.opts.clock.monotonic();
    if (!s || now - s.lastUsed > this.opts.sessionIdleMs) {
      if (session !== undefined) this.#sessions.delete(session);
      throw new CliError('LOGIN_REQUIRED', 'not logged in (or the session expired): run `egate login`');
    }
    s.lastUsed = now;
    return s.technician;
  }

  /** Clears a locked-out technician (and a socket-wide lock); true when something was locked. */
  unlock(id: string): boolean {
    return this.#lockout.unlock(id);
  }

  logout(session: string | undefined): void {
    if (session !== undefined) this.#sessions.delete(session);
  }
}

function locked(until: number, scope: 'technician' | 'socket', now: number): LoginOutcome {
  const mins = Math.max(1, Math.ceil((until - now) / 60_000));
  const who = scope === 'technician' ? 'this technician' : 'all logins';
  return { ok: false, code: 'LOCKED_OUT', message: `too many failed logins: ${who} locked for ${mins} more minute(s)`, lockedUntil: until };
}
