import type Database from 'better-sqlite3';

/**
 * When a replay store (QR nonces, central command ids) may safely forget an entry, so that
 * no decision rests on the wall clock going forwards (NTP, an operator, a dead RTC battery
 * step it both ways). docs/decisions.md, "Replay window and clock steps".
 * - An entry is forgotten only when its wall expiry is behind the HIGHEST wall time ever seen
 *   AND its remaining lifetime at admission has also run out on the monotonic clock (summed
 *   over runs and persisted; downtime is not counted, so entries are kept longer, never
 *   shorter). A forward step alone therefore never forgets anything.
 * - Forgetting leaves a floor: the latest expiry ever forgotten. An entry whose expiry is at or
 *   below the floor may have been seen and forgotten, so it is refused whatever the wall
 *   clock says now: a clock stepped back cannot re-admit it.
 * High-water wall time, floor and run time persist in `replay_meta` of the store's database.
 * The store's table must have the columns `expires_ms` and `keep_until_up` (both INTEGER).
 */
export class ForgetWindow {
  readonly #db: Database.Database;
  readonly #prunable: Database.Statement<[number, number]>;
  readonly #prune: Database.Statement<[number, number]>;
  readonly #setMeta: Database.Statement<[string, number]>;
  /** Monotonic run time persisted by earlier runs, and where this run's monotonic clock started. */
  #uptimeBase: number;
  #monoAtOpen: number | undefined;
  #lastUp = 0;
  #highWall: number;
  #floor: number;

  /** `table` is a constant of the store (never input): the entries this window forgets. */
  constructor(db: Database.Database, table: string) {
    this.#db = db;
    db.exec('CREATE TABLE IF NOT EXISTS replay_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID');
    const meta = new Map((db.prepare('SELECT key, value FROM replay_meta').all() as { key: string; value: number }[]).map((r) => [r.key, r.value]));
    this.#uptimeBase = meta.get('uptime_ms') ?? 0;
    this.#highWall = meta.get('high_wall_ms') ?? 0;
    this.#floor = meta.get('floor_ms') ?? 0;
    this.#prunable = db.prepare(`SELECT max(expires_ms) AS m FROM ${table} WHERE expires_ms < ? AND keep_until_up <= ?`);
    this.#prune = db.prepare(`DELETE FROM ${table} WHERE expires_ms < ? AND keep_until_up <= ?`);
    this.#setMeta = db.prepare('INSERT INTO replay_meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value');
  }

  /**
   * Admits an entry expiring at `expiresMs` (wall) in one transaction: false when its expiry
   * is at or below the floor; otherwise `insert(keepUntilUp)` decides (false: already seen).
   * `keepUntilUp` is the run time until which it must be kept: its remaining life now.
   */
  admit(expiresMs: number, nowMs: number, monoMs: number, insert: (keepUntilUp: number) => boolean): boolean {
    return this.#db.transaction(() => {
      const up = this.#observe(nowMs, monoMs);
      if (expiresMs <= this.#floor) return false;
      // whole milliseconds, rounded up (kept longer, never shorter): a STRICT table refuses a REAL
      return insert(Math.ceil(up + Math.max(0, expiresMs - nowMs)));
    })();
  }

  /** Forgets the entries past both bounds; raises the floor to the latest expiry forgotten. Returns how many went. */
  prune(nowMs: number, monoMs: number): number {
    return this.#db.transaction(() => {
      const up = this.#observe(nowMs, monoMs);
      const latest = (this.#prunable.get(this.#highWall, up) as { m: number | null }).m;
      if (latest === null) return 0;
      this.#floor = Math.max(this.#floor, latest);
      this.#setMeta.run('floor_ms', this.#floor);
      return this.#prune.run(this.#highWall, up).changes;
    })();
  }

  /** The latest expiry forgotten: entries expiring at or before it are refused. */
  get floorMs(): number {
    return this.#floor;
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
