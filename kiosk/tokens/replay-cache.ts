import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { ForgetWindow } from '../forget-window.ts';

const PRUNE_EVERY_MS = 60_000;

/**
 * Presentation nonces already used, kept in SQLite (WAL, synchronous=FULL) so a restart
 * or a power cut cannot reopen the door to a replay.
 *
 * The wall clock may step forwards and back (NTP, an operator, a dead RTC battery), so no
 * decision here rests on it going forwards (docs/decisions.md, "Replay window"): when a
 * nonce may be forgotten, and the floor that refuses anything possibly forgotten, are the
 * shared ForgetWindow's (kiosk/forget-window.ts): past the highest wall time seen AND the
 * nonce's monotonic lifetime, with the high-water time, floor and run time persisted.
 */
export class ReplayCache {
  readonly #db: Database.Database;
  readonly #claim: Database.Statement<[Buffer, number, number]>;
  readonly #window: ForgetWindow;
  #lastPrune = -Infinity;

  constructor(path: string) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.#db = new Database(path);
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma('synchronous = FULL');
    this.#db.exec('CREATE TABLE IF NOT EXISTS seen_nonce (nonce BLOB PRIMARY KEY, expires_ms INTEGER NOT NULL) WITHOUT ROWID');
    const cols = this.#db.prepare('PRAGMA table_info(seen_nonce)').all() as { name: string }[];
    // A cache written before the monotonic bound existed: its rows keep their wall expiry, no run-time bound.
    if (!cols.some((c) => c.name === 'keep_until_up')) this.#db.exec('ALTER TABLE seen_nonce ADD COLUMN keep_until_up INTEGER NOT NULL DEFAULT 0');
    this.#db.exec('CREATE INDEX IF NOT EXISTS seen_nonce_expiry ON seen_nonce (expires_ms)');
    this.#window = new ForgetWindow(this.#db, 'seen_nonce');
    this.#claim = this.#db.prepare('INSERT OR IGNORE INTO seen_nonce (nonce, expires_ms, keep_until_up) VALUES (?, ?, ?)');
  }

  /**
   * Records `nonce` as used until `expiresMs` (wall) — and for at least as long again on
   * the monotonic clock. Returns true when it was fresh; false when it was used, or when
   * its expiry is at or below the floor of what was forgotten. One transaction.
   * `monoMs` is the gate clock's monotonic time (tests pass a simulated one).
   */
  claim(nonce: Uint8Array, expiresMs: number, nowMs: number, monoMs: number = performance.now()): boolean {
    if (nowMs - this.#lastPrune >= PRUNE_EVERY_MS || nowMs < this.#lastPrune) this.prune(nowMs, monoMs);
    const key = Buffer.from(nonce);
    return this.#window.admit(expiresMs, nowMs, monoMs, (keepUntilUp) => this.#claim.run(key, expiresMs, keepUntilUp).changes === 1);
  }

  /** Forgets the nonces that are past both bounds; raises the floor to the latest expiry forgotten. Returns how many went. */
  prune(nowMs: number, monoMs: number = performance.now()): number {
    this.#lastPrune = nowMs;
    return this.#window.prune(nowMs, monoMs);
  }

  /** The latest expiry forgotten: presentations expiring at or before it are refused. */
  get floorMs(): number {
    return this.#window.floorMs;
  }

  get size(): number {
    return (this.#db.prepare('SELECT count(*) AS n FROM seen_nonce').get() as { n: number }).n;
  }

  close(): void {
    this.#db.close();
  }
}
