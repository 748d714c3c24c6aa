import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { SyncError } from './errors.ts';

/**
 * Ids of accepted central commands, on disk (synchronous=FULL) before the command is
 * applied, so a replay is refused even after a restart or a crash mid-command. Only
 * commands that passed the signature check are recorded: a forged command must not be able
 * to burn the id of a real one. Ids older than twice the freshness window are forgotten —
 * a command that old is refused as stale anyway.
 */
export class CommandLedger {
  readonly #db: Database.Database;
  readonly #insert: Database.Statement;

  constructor(path: string) {
    try {
      mkdirSync(dirname(path), { recursive: true });
      this.#db = new Database(path);
      this.#db.pragma('journal_mode = WAL');
      this.#db.pragma('synchronous = FULL');
      this.#db.pragma('busy_timeout = 5000');
      this.#db.exec('CREATE TABLE IF NOT EXISTS seen_command (id TEXT PRIMARY KEY, iat INTEGER NOT NULL, received_ms INTEGER NOT NULL) STRICT');
    } catch (err) {
      throw new SyncError('SYNC_LEDGER_IO', `cannot open command ledger ${path}: ${(err as Error).message}`, { cause: err });
    }
    this.#insert = this.#db.prepare('INSERT OR IGNORE INTO seen_command (id, iat, received_ms) VALUES (?, ?, ?)');
  }

  /** Records the id; false when it was seen before (a replay). */
  remember(id: string, iat: number, nowMs: number): boolean {
    return this.#insert.run(id, iat, nowMs).changes === 1;
  }

  /** Forgets ids issued before `beforeIat` (seconds). */
  prune(beforeIat: number): number {
    return this.#db.prepare('DELETE FROM seen_command WHERE iat < ?').run(beforeIat).changes;
  }

  close(): void {
    if (this.#db.open) this.#db.close();
  }
}
