import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { ForgetWindow } from '../forget-window.ts';
import { SyncError } from './errors.ts';

/** Rows written before expiries were stored: kept a day past their iat (longer than any sane window). */
const LEGACY_KEEP_MS = 24 * 3_600_000;

/**
 * Ids of accepted central commands, on disk (synchronous=FULL) before the command is
 * applied, so a replay is refused even after a restart or a crash mid-command. Only
 * commands that passed the signature check are recorded: a forged command must not be able
 * to burn the id of a real one. An id is remembered until its expiry (iat + 2 × window,
 * from the handler): past iat + window the command is refused as stale anyway.
 *
 * The gate's wall clock may step forwards and back, so when an id may be forgotten is the
 * shared ForgetWindow's (kiosk/forget-window.ts), as for QR nonces: only past the highest
 * wall time seen AND the id's monotonic lifetime, and a command whose expiry is at or below
 * the persisted floor of what was forgotten is refused as a replay.
 */
export class CommandLedger {
  readonly #db: Database.Database;
  readonly #insert: Database.Statement<[string, number, number, number, number]>;
  readonly #window: ForgetWindow;

  constructor(path: string) {
    try {
      mkdirSync(dirname(path), { recursive: true });
      this.#db = new Database(path);
      this.#db.pragma('journal_mode = WAL');
      this.#db.pragma('synchronous = FULL');
      this.#db.pragma('busy_timeout = 5000');
      this.#db.exec(
        'CREATE TABLE IF NOT EXISTS seen_command (id TEXT PRIMARY KEY, iat INTEGER NOT NULL, received_ms INTEGER NOT NULL, expires_ms INTEGER NOT NULL, keep_until_up INTEGER NOT NULL) STRICT',
      );
      const cols = this.#db.prepare('PRAGMA table_info(seen_command)').all() as { name: string }[];
      if (!cols.some((c) => c.name === 'expires_ms')) {
        // A ledger written before the clock-step fix: its ids get a generous wall expiry, no run-time bound.
        this.#db.transaction(() => {
          this.#db.exec('ALTER TABLE seen_command ADD COLUMN expires_ms INTEGER NOT NULL DEFAULT 0');
          this.#db.exec('ALTER TABLE seen_command ADD COLUMN keep_until_up INTEGER NOT NULL DEFAULT 0');
          this.#db.prepare('UPDATE seen_command SET expires_ms = iat * 1000 + ?').run(LEGACY_KEEP_MS);
        })();
      }
      this.#db.exec('CREATE INDEX IF NOT EXISTS seen_command_expiry ON seen_command (expires_ms)');
      this.#window = new ForgetWindow(this.#db, 'seen_command');
      this.#insert = this.#db.prepare('INSERT OR IGNORE INTO seen_command (id, iat, received_ms, expires_ms, keep_until_up) VALUES (?, ?, ?, ?, ?)');
    } catch (err) {
      throw new SyncError('SYNC_LEDGER_IO', `cannot open command ledger ${path}: ${(err as Error).message}`, { cause: err });
    }
  }

  /**
   * Records the id until `expiresMs` (wall; and as long again on the monotonic clock `monoMs`).
   * False when it was seen before, or when its expiry is at or below the floor of what was
   * forgotten (it may have been seen): a replay either way. One transaction.
   */
  remember(id: string, iat: number, expiresMs: number, nowMs: number, monoMs: number = performance.now()): boolean {
    return this.#window.admit(expiresMs, nowMs, monoMs, (keepUntilUp) => this.#insert.run(id, iat, Math.trunc(nowMs), expiresMs, keepUntilUp).changes === 1);
  }

  /** Forgets the ids past both bounds (see the class comment). Returns how many went. */
  prune(nowMs: number, monoMs: number = performance.now()): number {
    return this.#window.prune(nowMs, monoMs);
  }

  /** The latest expiry forgotten: commands expiring at or before it are refused. */
  get floorMs(): number {
    return this.#window.floorMs;
  }

  /** How many ids are remembered. */
  get size(): number {
    return (this.#db.prepare('SELECT count(*) AS n FROM seen_command').get() as { n: number }).n;
  }

  close(): void {
    if (this.#db.open) this.#db.close();
  }
}
