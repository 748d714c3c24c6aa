import { chmodSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Clock } from '../clock.ts';
import { loadOrCreateKeyFile } from '../journal/key-file.ts';
import { EnrolmentError } from './errors.ts';
import { bytesToTemplate, checkSub, keyId, referenceAad, seal, templateToBytes, unseal } from './sealed.ts';
import type { FaceQuality } from '../biometrics/types.ts';

/** Quality figures of the enrolment photo, exactly as the face engine measured them. */
export type ReferenceQuality = FaceQuality;

/** What `list` shows: everything but the template. */
export interface ReferenceSummary {
  sub: string;
  /** Where the reference came from: `photo`, `import`, `central`, … (never a file name or person's name). */
  source: string;
  quality: ReferenceQuality | null;
  enrolledAt: string;
  updatedAt: string;
}

export interface Reference extends ReferenceSummary {
  /** 512 float32 values, as the face engine produced them. */
  template: Float32Array;
}

export interface ReferenceStoreOptions {
  path: string;
  /** AES-256-GCM key file (32 bytes, mode 0600), created on first use. */
  keyPath: string;
  clock: Clock;
}

interface Row {
  sub: string;
  iv: Buffer;
  sealed: Buffer;
  tag: Buffer;
  quality: string | null;
  source: string;
  enrolled_at: string;
  updated_at: string;
}

const DDL = `
CREATE TABLE IF NOT EXISTS enrolled_reference (
  sub TEXT PRIMARY KEY, iv BLOB NOT NULL, sealed BLOB NOT NULL, tag BLOB NOT NULL,
  quality TEXT, source TEXT NOT NULL, enrolled_at TEXT NOT NULL, updated_at TEXT NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS store_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
-- residents who consented to token-free identification (1:N, kiosk/identify); absent = not opted in
CREATE TABLE IF NOT EXISTS identification_opt_in (sub TEXT PRIMARY KEY, opted_in_at TEXT NOT NULL) STRICT;
`;

function validSub(sub: unknown): sub is string {
  try {
    checkSub(sub);
    return true;
  } catch {
    return false;
  }
}

function summary(row: Row): ReferenceSummary {
  return {
    sub: row.sub,
    source: row.source,
    quality: row.quality === null ? null : (JSON.parse(row.quality) as ReferenceQuality),
    enrolledAt: row.enrolled_at,
    updatedAt: row.updated_at,
  };
}

/**
 * The gate's reference store: `sub` → enrolled face template. Templates are sealed with
 * AES-256-GCM under the store key, a fresh IV per write and the sub as additional data, so
 * the file alone reveals no template and a row's template cannot be moved to another sub
 * unnoticed. Subs and metadata are plain: the token check must find a sub quickly, and
 * `list` must work without decrypting. Opening with another key than the store was created
 * with fails at once with ENROLMENT_WRONG_KEY.
 */
export class ReferenceStore {
  readonly #db: Database.Database;
  readonly #key: Buffer;
  readonly #clock: Clock;

  private constructor(db: Database.Database, key: Buffer, clock: Clock) {
    this.#db = db;
    this.#key = key;
    this.#clock = clock;
  }

  static open(opts: ReferenceStoreOptions): ReferenceStore {
    const key = loadOrCreateKeyFile(opts.keyPath, 32);
    let db: Database.Database;
    try {
      mkdirSync(dirname(opts.path), { recursive: true });
      db = new Database(opts.path);
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      db.pragma('busy_timeout = 5000');
      db.exec(DDL);
      // subs are identity references: owner-only, like the key (WAL and shm files follow the db's mode)
      chmodSync(opts.path, 0o600);
    } catch (err) {
      throw new EnrolmentError('ENROLMENT_IO', `cannot open reference store ${opts.path}: ${(err as Error).message}`, { cause: err });
    }
    const id = keyId(key);
    const stored = db.prepare("SELECT value FROM store_meta WHERE key = 'key_id'").get() as { value: string } | undefined;
    if (!stored) db.prepare("INSERT INTO store_meta (key, value) VALUES ('key_id', ?)").run(id);
    else if (stored.value !== id) {
      db.close();
      throw new EnrolmentError('ENROLMENT_WRONG_KEY', `reference store ${opts.path} was sealed with key ${stored.value}, not with ${opts.keyPath} (${id})`);
    }
    return new ReferenceStore(db, key, opts.clock);
  }

  /** Fingerprint of the store key (safe to show; used to name the key of an export). */
  get keyId(): string {
    return keyId(this.#key);
  }

  /** False also for a sub that could never be enrolled (empty, too long, control characters). */
  has(sub: string): boolean {
    if (!validSub(sub)) return false;
    return this.#db.prepare('SELECT 1 FROM enrolled_reference WHERE sub = ?').get(sub) !== undefined;
  }

  /**
   * The reference with its template decrypted, or undefined when not enrolled (or the sub
   * could never be). Throws ENROLMENT_DECRYPT_FAILED when the stored record fails authentication.
   */
  get(sub: string): Reference | undefined {
    if (!validSub(sub)) return undefined;
    const row = this.#db.prepare('SELECT * FROM enrolled_reference WHERE sub = ?').get(sub) as Row | undefined;
    if (!row) return undefined;
    const plain = unseal(this.#key, row, referenceAad(row.sub), 'enrolled reference');
    return { ...summary(row), template: bytesToTemplate(plain) };
  }

  /** Every reference without its template, ordered by sub. */
  list(): ReferenceSummary[] {
    return (this.#db.prepare('SELECT * FROM enrolled_reference ORDER BY sub').all() as Row[]).map(summary);
  }

  count(): number {
    return (this.#db.prepare('SELECT COUNT(*) AS n FROM enrolled_reference').get() as { n: number }).n;
  }

  /**
   * Adds or replaces the reference of `sub`; a replacement keeps the first enrolment date.
   * Returns true when a reference was replaced. `enrolledAt` is kept from an import.
   */
  upsert(sub: string, template: Float32Array, meta: { source: string; quality?: ReferenceQuality | null; enrolledAt?: string }): boolean {
    checkSub(sub);
    if (typeof meta.source !== 'string' || !/^[a-z0-9_:-]{1,32}$/i.test(meta.source)) {
      throw new EnrolmentError('ENROLMENT_BAD_ARGUMENT', 'source must be a short code (letters, digits, _ : -)');
    }
    const box = seal(this.#key, templateToBytes(template), referenceAad(sub));
    const now = new Date(this.#clock.now()).toISOString();
    const replaced = this.has(sub);
    this.#db
      .prepare(
        `INSERT INTO enrolled_reference (sub, iv, sealed, tag, quality, source, enrolled_at, updated_at)
         VALUES (@sub, @iv, @sealed, @tag, @quality, @source, @enrolledAt, @now)
         ON CONFLICT (sub) DO UPDATE SET iv = excluded.iv, sealed = excluded.sealed, tag = excluded.tag,
           quality = excluded.quality, source = excluded.source, updated_at = excluded.updated_at`,
      )
      .run({ sub, ...box, quality: meta.quality ? JSON.stringify(meta.quality) : null, source: meta.source, enrolledAt: meta.enrolledAt ?? now, now });
    return replaced;
  }

  /** Removes the reference of `sub` (and its identification opt-in); false when there was none. */
  remove(sub: string): boolean {
    checkSub(sub);
    return this.transaction(() => {
      this.#db.prepare('DELETE FROM identification_opt_in WHERE sub = ?').run(sub);
      return this.#db.prepare('DELETE FROM enrolled_reference WHERE sub = ?').run(sub).changes > 0;
    });
  }

  /**
   * Records (or withdraws) the consent of an enrolled resident to be identified without a
   * token (1:N). Only enrolled subs can opt in (ENROLMENT_BAD_ARGUMENT otherwise); withdrawing
   * is always allowed. Returns whether the flag changed.
   */
  setIdentificationOptIn(sub: string, optedIn: boolean): boolean {
    checkSub(sub);
    if (!optedIn) return this.#db.prepare('DELETE FROM identification_opt_in WHERE sub = ?').run(sub).changes > 0;
    if (!this.has(sub)) throw new EnrolmentError('ENROLMENT_BAD_ARGUMENT', 'only an enrolled resident can opt in to identification');
    const now = new Date(this.#clock.now()).toISOString();
    return this.#db.prepare('INSERT INTO identification_opt_in (sub, opted_in_at) VALUES (?, ?) ON CONFLICT (sub) DO NOTHING').run(sub, now).changes > 0;
  }

  isIdentificationOptedIn(sub: string): boolean {
    if (!validSub(sub)) return false;
    return this.#db.prepare('SELECT 1 FROM identification_opt_in WHERE sub = ?').get(sub) !== undefined;
  }

  /**
   * Every opted-in reference with its template decrypted (for the in-memory 1:N index), ordered
   * by sub. Throws ENROLMENT_DECRYPT_FAILED / ENROLMENT_BAD_TEMPLATE on the first bad record.
   */
  optedInReferences(): Reference[] {
    const rows = this.#db.prepare('SELECT r.* FROM enrolled_reference r JOIN identification_opt_in o ON o.sub = r.sub ORDER BY r.sub').all() as Row[];
    return rows.map((row) => ({ ...summary(row), template: bytesToTemplate(unseal(this.#key, row, referenceAad(row.sub), 'enrolled reference')) }));
  }

  /** Runs `fn` in one transaction (an import is all or nothing). */
  transaction<T>(fn: () => T): T {
    return this.#db.transaction(fn).immediate();
  }

  close(): void {
    if (this.#db.open) this.#db.close();
  }
}
