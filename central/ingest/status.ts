import type { CommandResult, StatusPayload } from '../../kiosk/sync/topics.ts';
import { inTransaction, NOTIFY_CHANNEL, type Pool } from '../db/pool.ts';
import { applyAlarms } from './store.ts';

const str = (v: unknown, max = 64): string | null => (typeof v === 'string' ? v.slice(0, max) : null);
const int = (v: unknown): number | null => (Number.isSafeInteger(v) ? (v as number) : null);

/**
 * A gate's retained status (or its last will, `{"online":false}` alone). Only the fields of
 * StatusPayload are kept; a will or a status that turns a gate offline without an orderly
 * stop raises GATE_SILENT (code LAST_WILL); coming back online clears it.
 */
export async function storeStatus(pool: Pool, site: string, gate: string, payload: unknown): Promise<void> {
  if (typeof payload !== 'object' || payload === null) return;
  const s = payload as StatusPayload;
  const will = Object.keys(s).length === 1 && s.online === false;
  const devices = s.devices && typeof s.devices === 'object' ? JSON.stringify(s.devices) : null;
  await inTransaction(pool, async (c) => {
    await c.query(
      `INSERT INTO gates (gate, site, online, mode, devices, last_seq, unsent, version, profile, status_at, seen_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, now(), now())
       ON CONFLICT (gate) DO UPDATE SET online = $3, mode = COALESCE($4, gates.mode), devices = COALESCE($5, gates.devices), last_seq = COALESCE($6, gates.last_seq),
         unsent = COALESCE($7, gates.unsent), version = COALESCE($8, gates.version), profile = COALESCE($9, gates.profile), status_at = now(), seen_at = now()`,
      [gate, site, s.online === true, will ? null : str(s.mode), devices, int(s.lastSeq), int(s.unsent), str(s.version), str(s.profile, 32)],
    );
    if (will) await applyAlarms(c, [{ op: 'raise', gate, site, kind: 'gate_silent', code: 'LAST_WILL', detail: { will: true }, seq: null }]);
    if (s.online === true) await c.query("UPDATE alarms SET cleared_at = now() WHERE gate = $1 AND kind = 'gate_silent' AND cleared_at IS NULL", [gate]);
    await c.query('SELECT pg_notify($1, $2)', [NOTIFY_CHANNEL, JSON.stringify({ t: 'status', gate })]);
  });
}

/** A gate's answer to a command: which gate applied (or refused) which command version. */
export async function storeCommandResult(pool: Pool, gate: string, payload: unknown): Promise<void> {
  const r = payload as CommandResult;
  if (typeof r?.id !== 'string' || typeof r.ok !== 'boolean') return;
  await pool.query(
    'INSERT INTO command_results (command_id, gate, ok, error) VALUES ($1, $2, $3, $4) ON CONFLICT (command_id, gate) DO UPDATE SET ok = $3, error = $4, at = now()',
    [r.id.slice(0, 64), gate, r.ok, str(r.error)],
  );
  await pool.query('SELECT pg_notify($1, $2)', [NOTIFY_CHANNEL, JSON.stringify({ t: 'command', id: r.id.slice(0, 64), gate })]);
}
