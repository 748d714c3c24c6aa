import pg from 'pg';

// bigint columns (seq, counts) fit a double for any real fleet: read them as numbers
pg.types.setTypeParser(20, (v) => Number(v));

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;

export function openPool(url: string, max: number): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max });
  // an idle client that loses its server must not crash the process; the next query reconnects
  pool.on('error', () => {});
  return pool;
}

/** Runs `fn` in one transaction; rolls back and rethrows on any error. */
export async function inTransaction<T>(pool: pg.Pool, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const c = await pool.connect();
  try {
    await c.query('BEGIN');
    const out = await fn(c);
    await c.query('COMMIT');
    return out;
  } catch (err) {
    await c.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    c.release();
  }
}

/** The channel every instance listens on: ingest progress, alarms, commands (small JSON). */
export const NOTIFY_CHANNEL = 'egate_central';
