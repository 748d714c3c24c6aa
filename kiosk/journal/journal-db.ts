import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { JournalError } from './errors.ts';

export type Db = Database.Database;

/**
 * Events are append-only in SQL as well as in code: UPDATE is refused by a trigger, and
 * DELETE only passes for events at or below the delivered mark (the retention purge). This
 * does not stop someone with the file from dropping the triggers — the hash chain is what
 * detects that — but it stops a bug in this process from rewriting history.
 */
const DDL = `
CREATE TABLE IF NOT EXISTS events (
  seq  INTEGER PRIMARY KEY CHECK (seq >= 1),
  id   TEXT NOT NULL UNIQUE,
  gate TEXT NOT NULL,
  ts   TEXT NOT NULL,
  type TEXT NOT NULL,
  data TEXT NOT NULL,
  prev TEXT NOT NULL,
  hash TEXT NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS journal_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
CREATE TRIGGER IF NOT EXISTS events_append_only BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'journal events are append-only'); END;
CREATE TRIGGER IF NOT EXISTS events_purge_delivered_only BEFORE DELETE ON events
WHEN OLD.seq > COALESCE((SELECT CAST(value AS INTEGER) FROM journal_meta WHERE key = 'delivered_seq'), 0)
BEGIN SELECT RAISE(ABORT, 'only delivered events may be purged'); END;
`;

/** Meta keys: gate, delivered_seq, the anchor (seq, hash) of the last purged event and its signed checkpoint (base64). */
export type MetaKey = 'gate' | 'delivered_seq' | 'anchor_seq' | 'anchor_hash' | 'anchor_signed';

/**
 * Opens (creating if needed) a journal database: WAL so readers (verify, outbox) never block
 * the writer, synchronous=FULL so a commit is on disk before append returns — a power cut
 * must not lose an event the gate already acted on.
 */
export function openJournalDb(path: string, opts: { readonly?: boolean } = {}): Db {
  try {
    if (opts.readonly) {
      const db = new Database(path, { readonly: true, fileMustExist: true });
      db.pragma('busy_timeout = 5000');
      return db;
    }
    mkdirSync(dirname(path), { recursive: true });
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('busy_timeout = 5000');
    db.exec(DDL);
    return db;
  } catch (err) {
    throw new JournalError('JOURNAL_IO', `cannot open journal ${path}: ${(err as Error).message}`, { cause: err });
  }
}

const statements = new WeakMap<Db, Map<string, Database.Statement>>();

/**
 * A prepared statement, prepared once per database: the outbox reads the journal after every
 * append, and compiling the same SQL each time was most of a gate's journal cost (a fleet
 * simulator with hundreds of journals in one process made it visible).
 */
export function cached(db: Db, sql: string): Database.Statement {
  let m = statements.get(db);
  if (!m) statements.set(db, (m = new Map()));
  let s = m.get(sql);
  if (!s) m.set(sql, (s = db.prepare(sql)));
  return s;
}

export function readMeta(db: Db, key: MetaKey): string | undefined {
  const hasMeta = cached(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'journal_meta'").get();
  if (!hasMeta) return undefined;
  const row = cached(db, 'SELECT value FROM journal_meta WHERE key = ?').get(key) as { value: string } | undefined;
  return row?.value;
}

export function writeMeta(db: Db, key: MetaKey, value: string): void {
  cached(db, 'INSERT INTO journal_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
}

/** The row as stored: `data` is the canonical JSON text of the event data. */
export interface EventRow {
  seq: number;
  id: string;
  gate: string;
  ts: string;
  type: string;
  data: string;
  prev: string;
  hash: string;
}
