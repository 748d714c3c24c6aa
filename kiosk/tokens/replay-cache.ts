import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

const PRUNE_EVERY_MS = 60_000;

/**
 * Presentation nonces already used, kept in SQLite (WAL, synchronous=FULL) so a restart
 * or a power cut cannot reopen the door to a replay. A nonce is remembered until the
 * expiry the verifier gives (the end of the window in which its presentation could still
 * pass the iat check); expired rows are pruned as time goes on.
 */
export class ReplayCache {
  readonly #db: Database.Database;
  readonly #claim: Database.Statement<[Buffer, number]>;
  readonly #dropExpired: Database.Statement<[Buffer, number]>;
  readonly #prune: Database.Statement<[number]>;
  #lastPrune = -Infinity;

  constructor(path: string) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.#db = new Database(path);
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma('synchronous = FULL');
    this.#db.exec('CREATE TABLE IF NOT EXISTS seen_nonce (nonce BLOB PRIMARY KEY, expires_ms INTEGER NOT NULL) WITHOUT ROWID');
    this.#db.exec('CREATE INDEX IF NOT EXISTS seen_nonce_expiry ON seen_nonce (expires_ms)');
    this.#claim = this.#db.prepare('INSERT OR IGNORE INTO seen_nonce (nonce, expires_ms) VALUES (?, ?)');
    this.#dropExpired = this.#db.prepare('DELETE FROM seen_nonce WHERE nonce = ? AND expires_ms < ?');
    this.#prune = this.#db.prepare('DELETE FROM seen_nonce WHERE expires_ms < ?');
  }

  /**
   * Records `nonce` as used until `expiresMs`. Returns true when it was fresh, false when
   * it was already used and not yet expired. Check and record are one transaction.
   */
  claim(nonce: Uint8Array, expiresMs: number, nowMs: number): boolean {
    if (nowMs - this.#lastPrune >= PRUNE_EVERY_MS) this.prune(nowMs);
    const key = Buffer.from(nonce);
    return this.#db.transaction(() => {
      this.#dropExpired.run(key, nowMs);
      return this.#claim.run(key, expiresMs).changes === 1;
    })();
  }

  /** Deletes every nonce whose expiry has passed; returns how many went. */
  prune(nowMs: number): number {
    this.#lastPrune = nowMs;
    return this.#prune.run(nowMs).changes;
  }

  get size(): number {
    return (this.#db.prepare('SELECT count(*) AS n FROM seen_nonce').get() as { n: number }).n;
  }

  close(): void {
    this.#db.close();
  }
}
