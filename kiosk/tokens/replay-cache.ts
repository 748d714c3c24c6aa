import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

const PRUNE_EVERY_MS = 60_000;

/**
 * Presentation nonces already used, kept in SQLite (WAL, synchronous=FULL) so a restart
 * or a power cut cannot reopen the door to a replay.
 *
 * The wall clock may step forwards and back (NTP, an operator, a dead RTC battery), so no
 * decision here rests on it going forwards (docs/decisions.md, "Replay window"):
 * - A nonce is forgotten only when its expiry (iat + twice the window, from the verifier)
 *   is behind the HIGHEST wall time this cache has ever seen AND its remaining lifetime at
 *   claim time has also run out on the monotonic clock (summed over runs, so a forward
 *   step alone never prunes it).
 * - Everything forgotten leaves a floor: the latest expiry ever pruned. A presentation whose
 *   expiry is at or below the floor may have been used and forgotten, so it is refused
 *   whatever the wall clock says now. A clock stepped back therefore cannot re-admit it.
 * The high-water wall time, the floor and the monotonic run time persist with the nonces.
 */
export class ReplayCache {
  readonly #db: Database.Database;
  readonly #claim: Database.Statement<[Buffer, number, number]>;
  readonly #prunable: Database.Statement<[number, number]>;
  readonly #prune: Database.Statement<[number, number]>;
  readonly #setMeta: Database.Statement<[string, number]>;
  #lastPrune = -Infinity;
  /** Monotonic run time persisted by earlier runs, and where this run's monotonic clock started. */
  #uptimeBase: number;
  #monoAtOpen: number | undefined;
  #lastUp = 0;
  #highWall: number;
  #floor: number;

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
    this.#db.exec('CREATE TABLE IF NOT EXISTS replay_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID');
    const meta = new Map((this.#db.prepare('SELECT key, value FROM replay_meta').all() as { key: string; value: number }[]).map((r) => [r.key, r.value]));
    this.#uptimeBase = meta.get('uptime_ms') ?? 0;
    this.#highWall = meta.get('high_wall_ms') ?? 0;
    this.#floor = meta.get('floor_ms') ?? 0;
    this.#claim = this.#db.prepare('INSERT OR IGNORE INTO seen_nonce (nonce, expires_ms, keep_until_up) VALUES (?, ?, ?)');
    this.#prunable = this.#db.prepare('SELECT max(expires_ms) AS m FROM seen_nonce WHERE expires_ms < ? AND keep_until_up <= ?');
    this.#prune = this.#db.prepare('DELETE FROM seen_nonce WHERE expires_ms < ? AND keep_until_up <= ?');
    this.#setMeta = this.#db.prepare('INSERT INTO replay_meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value');
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
    return this.#db.transaction(() => {
      const up = this.#observe(nowMs, monoMs);
      if (expiresMs <= this.#floor) return false;
      return this.#claim.run(key, expiresMs, up + Math.max(0, expiresMs - nowMs)).changes === 1;
    })();
  }

  /** Forgets the nonces that are past both bounds; raises the floor to the latest expiry forgotten. Returns how many went. */
  prune(nowMs: number, monoMs: number = performance.now()): number {
    this.#lastPrune = nowMs;
    return this.#db.transaction(() => {
      const up = this.#observe(nowMs, monoMs);
      const latest = (this.#prunable.get(this.#highWall, up) as { m: number | null }).m;
      if (latest === null) return 0;
      this.#floor = Math.max(this.#floor, latest);
      this.#setMeta.run('floor_ms', this.#floor);
      return this.#prune.run(this.#highWall, up).changes;
    })();
  }

  /** The latest expiry forgotten: presentations expiring at or before it are refused. */
  get floorMs(): number {
    return this.#floor;
  }

  get size(): number {
    return (this.#db.prepare('SELECT count(*) AS n FROM seen_nonce').get() as { n: number }).n;
  }

  close(): void {
    this.#db.close();
  }

  /** Raises the high-water wall time, advances the persisted run time; returns the run time. */
  #observe(nowMs: number, monoMs: number): number {
    this.#monoAtOpen ??= monoMs;
    const up = Math.max(this.#lastUp, this.#uptimeBase + Math.max(0, monoMs - this.#monoAtOpen));
    this.#lastUp = up;
    this.#setMeta.run('uptime_ms', up);
    if (nowMs > this.#highWall) {
      this.#highWall = nowMs;
      this.#setMeta.run('high_wall_ms', nowMs);
    }
    return up;
  }
}
