import Database from 'better-sqlite3';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { EgateError } from '../../core/errors.ts';
import { loadOrCreateKeyFile } from '../journal/key-file.ts';

/**
 * The counter's arrival records: the portrait the counter camera took, with the officer's
 * decision and the scores, kept ONLY here — never in the journal or the logs — encrypted
 * (AES-256-GCM, a random 96-bit nonce per record, the arrival id and expiry bound in as
 * associated data so a row cannot be moved or have its life extended) and for a limited
 * time: the central system collects them, and whatever is not collected by `expiresMs` is
 * deleted. Codes: ARRIVAL_BAD_ID, ARRIVAL_TAMPERED, ARRIVAL_UNKNOWN.
 */
export class ArrivalRecordError extends EgateError {}

export interface ArrivalRecord {
  arrival: string;
  /** The captured portrait (JPEG). */
  portrait: Uint8Array;
  /** Officer decision and the scores shown to the officer (no document numbers). */
  facts: { decision: 'accept' | 'refer'; officer: string; match_score: number | null; liveness_score: number | null; quality: number | null };
  createdMs: number;
  expiresMs: number;
}

const ID = /^[A-Za-z0-9_-]{1,64}$/;

export class ArrivalRecordStore {
  readonly #db: Database.Database;
  readonly #key: Buffer;
  readonly #lifeMs: number;

  constructor(opts: { path: string; keyPath: string; lifeMs: number }) {
    mkdirSync(dirname(opts.path), { recursive: true });
    this.#key = loadOrCreateKeyFile(opts.keyPath, 32);
    this.#lifeMs = opts.lifeMs;
    this.#db = new Database(opts.path);
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma('synchronous = FULL');
    // deleted pages are zeroed, so a purged portrait does not linger in the file
    this.#db.pragma('secure_delete = ON');
    this.#db.exec('CREATE TABLE IF NOT EXISTS arrivals (arrival TEXT PRIMARY KEY, expires_ms INTEGER NOT NULL, nonce BLOB NOT NULL, sealed BLOB NOT NULL) WITHOUT ROWID');
  }

  close(): void {
    this.#db.close();
  }

  /** Seals and stores one record; its life starts now. */
  put(arrival: string, portrait: Uint8Array, facts: ArrivalRecord['facts'], nowMs: number): void {
    if (!ID.test(arrival)) throw new ArrivalRecordError('ARRIVAL_BAD_ID', 'arrival id is 1–64 letters, digits, _ or -');
    const expiresMs = nowMs + this.#lifeMs;
    const nonce = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.#key, nonce);
    c.setAAD(Buffer.from(`${arrival}|${expiresMs}`));
    const body = Buffer.from(JSON.stringify({ portrait: Buffer.from(portrait).toString('base64'), facts, createdMs: nowMs }));
    const sealed = Buffer.concat([c.update(body), c.final(), c.getAuthTag()]);
    this.#db.prepare('INSERT INTO arrivals VALUES (?, ?, ?, ?)').run(arrival, expiresMs, nonce, sealed);
  }

  /** Opens one record (ARRIVAL_UNKNOWN when absent or expired, ARRIVAL_TAMPERED when it does not authenticate). */
  get(arrival: string, nowMs: number): ArrivalRecord {
    const row = this.#db.prepare('SELECT * FROM arrivals WHERE arrival = ?').get(arrival) as { arrival: string; expires_ms: number; nonce: Buffer; sealed: Buffer } | undefined;
    if (!row || row.expires_ms <= nowMs) throw new ArrivalRecordError('ARRIVAL_UNKNOWN', 'no live arrival record with that id');
    return this.#open(row);
  }

  /** The central system's collection: every live record, removed once handed over (`ack`). */
  collect(nowMs: number, ack: (records: ArrivalRecord[]) => boolean): number {
    this.purgeExpired(nowMs);
    const rows = this.#db.prepare('SELECT * FROM arrivals ORDER BY expires_ms').all() as { arrival: string; expires_ms: number; nonce: Buffer; sealed: Buffer }[];
    const records = rows.map((r) => this.#open(r));
    if (records.length === 0 || !ack(records)) return 0;
    const del = this.#db.prepare('DELETE FROM arrivals WHERE arrival = ?');
    this.#db.transaction(() => rows.forEach((r) => del.run(r.arrival)))();
    return rows.length;
  }

  /** Every live record, oldest expiry first (for sealing to central; removed by `remove` once central has them). */
  live(nowMs: number): ArrivalRecord[] {
    this.purgeExpired(nowMs);
    const rows = this.#db.prepare('SELECT * FROM arrivals ORDER BY expires_ms').all() as { arrival: string; expires_ms: number; nonce: Buffer; sealed: Buffer }[];
    return rows.map((r) => this.#open(r));
  }

  /** Deletes the named records (central acknowledged them); returns how many were there. */
  remove(arrivals: readonly string[]): number {
    const del = this.#db.prepare('DELETE FROM arrivals WHERE arrival = ?');
    return this.#db.transaction(() => arrivals.reduce((n, a) => n + del.run(a).changes, 0))();
  }

  /** Deletes every record past its life; returns how many. */
  purgeExpired(nowMs: number): number {
    return this.#db.prepare('DELETE FROM arrivals WHERE expires_ms <= ?').run(nowMs).changes;
  }

  #open(row: { arrival: string; expires_ms: number; nonce: Buffer; sealed: Buffer }): ArrivalRecord {
    try {
      const d = createDecipheriv('aes-256-gcm', this.#key, row.nonce);
      d.setAAD(Buffer.from(`${row.arrival}|${row.expires_ms}`));
      d.setAuthTag(row.sealed.subarray(row.sealed.length - 16));
      const body = JSON.parse(Buffer.concat([d.update(row.sealed.subarray(0, row.sealed.length - 16)), d.final()]).toString('utf8')) as { portrait: string; facts: ArrivalRecord['facts']; createdMs: number };
      return { arrival: row.arrival, portrait: Buffer.from(body.portrait, 'base64'), facts: body.facts, createdMs: body.createdMs, expiresMs: row.expires_ms };
    } catch (err) {
      throw new ArrivalRecordError('ARRIVAL_TAMPERED', 'arrival record does not authenticate', { cause: err });
    }
  }
}
