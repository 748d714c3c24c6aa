import type { CommandResult, StatusPayload } from '../../kiosk/sync/topics.ts';
import { inTransaction, NOTIFY_CHANNEL, type Pool, type PoolClient } from '../db/pool.ts';
import { applyAlarms } from './store.ts';

const str = (v: unknown, max = 64): string | null => (typeof v === 'string' ? v.slice(0, max) : null);
const int = (v: unknown): number | null => (Number.isSafeInteger(v) ? (v as number) : null);

export async function storeStatus(pool: Pool, site: string, gate: string, payload: unknown): Promise<void> {
  await storeStatuses(pool, [{ site, gate, payload }]);
}

/**
 * Gates' retained statuses (or last wills, `{"online":false}` alone), all of one ingest group
 * in one transaction: a thousand gates reconnecting at once send a thousand statuses, and one
 * commit each stalled the events queued behind them. Only the fields of StatusPayload are
 * kept; a will or a status that turns a gate offline without an orderly stop raises
 * GATE_SILENT (code LAST_WILL); coming back online clears it.
 */
export async function storeStatuses(pool: Pool, items: { site: string; gate: string; payload: unknown }[]): Promise<void> {
  // gate order (stable: a gate's statuses keep their order): every instance stores every
  // status, and rows locked in one order cannot deadlock between instances
  const valid = items.filter((i) => typeof i.payload === 'object' && i.payload !== null).sort((a, b) => (a.gate < b.gate ? -1 : a.gate > b.gate ? 1 : 0));
  if (valid.length === 0) return;
  await inTransaction(pool, async (c) => {
    for (const { site, gate, payload } of valid) await statusRow(c, site, gate, payload as StatusPayload);
    await c.query('SELECT pg_notify($1, $2)', [NOTIFY_CHANNEL, JSON.stringify({ t: 'status', gate: valid.length === 1 ? valid[0]!.gate : '*' })]);
  });
}

async function statusRow(c: PoolClient, site: string, gate: string, s: StatusPayload): Promise<void> {
  const will = Object.keys(s).length === 1 && s.online === false;
  const devices = s.devices && typeof s.devices === 'object' ? JSON.stringify(s.devices) : null;
  await c.query(
    `INSERT INTO gates (gate, site, online, mode, devices, last_seq, unsent, version, profile, status_at, seen_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, now(), now())
     ON CONFLICT (gate) DO UPDATE SET online = $3, mode = COALESCE($4, gates.mode), devices = COALESCE($5, gates.devices), last_seq = COALESCE($6, gates.last_seq),
       unsent = COALESCE($7, gates.unsent), version = COALESCE($8, gates.version), profile = COALESCE($9, gates.profile), status_at = now(), seen_at = now()`,
    [gate, site, s.online === true, will ? null : str(s.mode), devices, int(s.lastSeq), int(s.unsent), str(s.version), str(s.profile, 32)],
  );
  if (will) await applyAlarms(c, [{ op: 'raise', gate, site, kind: 'gate_silent', code: 'LAST_WILL', detail: { will: true }, seq: null }]);
  if (s.online === true) await c.query("UPDATE alarms SET cleared_at = now() WHERE gate = $1 AND kind = 'gate_silent' AND cleared_at IS NULL", [gate]);
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
