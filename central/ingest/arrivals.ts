import type { KeyObject } from 'node:crypto';
import { openArrivalBatch } from '../../kiosk/sync/arrival-wire.ts';
import type { Pool } from '../db/pool.ts';

export interface ArrivalsOutcome {
  stored: number;
  duplicates: number;
  refused: boolean;
}

/**
 * One counter's arrival batch (issue 15 §4): every record is opened with the central arrival
 * private key only to verify it (the right counter, untampered) and to read its expiry; the
 * row keeps the record SEALED as received — central never stores the portrait decrypted.
 * Idempotent on the arrival id (delivery is at least once). The signed receipt goes to the
 * gate's arrivals/ack only after the commit, so a counter deletes nothing central has not
 * stored. A batch that does not verify is not acknowledged (the counter keeps its records)
 * and files an ARRIVAL_TAMPERED alarm, storing nothing.
 */
export async function storeArrivals(
  pool: Pool,
  m: { site: string; gate: string; payload: Uint8Array },
  d: { arrivalKey: KeyObject; sign: (payload: Uint8Array) => Uint8Array; publish: (topic: string, payload: Buffer) => Promise<unknown> },
): Promise<ArrivalsOutcome> {
  let opened: ReturnType<typeof openArrivalBatch>;
  try {
    opened = openArrivalBatch(m.payload, d.arrivalKey);
    // a batch on one counter's topic naming another: refused like a forgery
    if (opened.batch.gate !== m.gate) throw new Error('batch names another counter');
  } catch (err) {
    await pool.query("INSERT INTO alarms (gate, site, kind, code, detail) VALUES ($1, $2, 'gate_alarm', 'ARRIVAL_TAMPERED', $3)", [
      m.gate,
      m.site,
      JSON.stringify({ detail: `arrival batch refused: ${(err as Error).message}` }),
    ]);
    return { stored: 0, duplicates: 0, refused: true };
  }
  const { batch, records } = opened;
  let stored = 0;
  const c = await pool.connect();
  try {
    await c.query('BEGIN');
    for (let i = 0; i < records.length; i++) {
      const r = records[i]!;
      const sealed = Buffer.from(batch.arrivals[i]!.sealed, 'base64');
      const expires = Number.isFinite(r.expiresMs) ? new Date(r.expiresMs) : null;
      const q = await c.query('INSERT INTO arrival_records (arrival, gate, site, sealed, expires_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (arrival) DO NOTHING', [r.arrival, m.gate, m.site, sealed, expires]);
      stored += q.rowCount ?? 0;
    }
    await c.query('COMMIT');
  } catch (err) {
    await c.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    c.release();
  }
  await d.publish(`egate/v1/${m.site}/${m.gate}/arrivals/ack`, Buffer.from(d.sign(opened.ack)));
  return { stored, duplicates: records.length - stored, refused: false };
}
