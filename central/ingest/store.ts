import type { JournalEvent } from '../../kiosk/journal/index.ts';
import { assertJournalSafe } from '../../kiosk/journal/privacy-guard.ts';
import { inTransaction, NOTIFY_CHANNEL, type Pool, type PoolClient } from '../db/pool.ts';
import { alarmChange } from './alarm-rules.ts';
import { checkCheckpoints } from './checkpoints.ts';
import { updateRollups } from './rollups.ts';
import { linkBatch, prepareBatch, type ChainHead, type ChainProblem, type PreparedBatch } from './chain.ts';

/** One MQTT events message: the gate and site from its topic, the parsed payload. */
export interface InboundBatch {
  site: string;
  gate: string;
  payload: unknown;
  /** prepareInbound's work, done when the message arrived (absent: done in the transaction). */
  prepared?: PreparedBatch;
}

/**
 * The privacy guard's verdict per event checked ahead (null: safe; else the refusal code).
 * A WeakMap on the parsed event objects: no copy, and it goes with the message.
 */
const privacyVerdict = new WeakMap<object, string | null>();

function privacyOf(e: JournalEvent): string | null {
  const had = privacyVerdict.get(e);
  if (had !== undefined) return had;
  try {
    assertJournalSafe(e.data);
    return null;
  } catch (err) {
    return (err as { code?: string }).code ?? 'JOURNAL_PRIVACY';
  }
}

/**
 * Everything about a message that needs no chain head — shape, seq order, each event's hash,
 * the privacy guard — done as it arrives, so this CPU work overlaps the previous group's
 * transaction instead of holding the chain rows locked.
 */
export function prepareInbound(site: string, gate: string, payload: unknown): InboundBatch {
  const prepared = prepareBatch(gate, payload);
  for (let i = 0; i < prepared.hashBadAt; i++) privacyVerdict.set(prepared.events[i]!, privacyOf(prepared.events[i]!));
  return { site, gate, payload, prepared };
}

export interface IngestResult {
  stored: number;
  duplicates: number;
  held: number;
  problems: number;
}

/** Per-gate progress announced to consoles after commit: [gate, head seq, oldest new ts, newest new ts]. */
export type Progress = [string, number, number, number];

interface GateWork {
  site: string;
  head: ChainHead | undefined;
  pending: number;
  progress: { oldest: number; newest: number } | undefined;
}

/**
 * Stores a group of event batches in one transaction: each gate's chain row is locked (in
 * gate order, so instances never deadlock), every batch is checked against it, accepted
 * events are inserted with one statement, problems become alarms, batches ahead of the
 * head wait in pending_batches, and consoles are notified on commit. Delivery is
 * at-least-once: a repeat of an event already held is counted and dropped here.
 */
export async function storeBatches(pool: Pool, batches: InboundBatch[]): Promise<IngestResult> {
  return inTransaction(pool, async (c) => {
    const res: IngestResult = { stored: 0, duplicates: 0, held: 0, problems: 0 };
    const gates = [...new Set(batches.map((b) => b.gate))].sort();
    const siteOf = new Map(batches.map((b) => [b.gate, b.site]));
    await c.query(
      "INSERT INTO gate_chain (gate, site, first_seq, head_seq, head_hash) SELECT g, s, -1, -1, '' FROM unnest($1::text[], $2::text[]) AS v(g, s) ORDER BY g ON CONFLICT (gate) DO NOTHING",
      [gates, gates.map((g) => siteOf.get(g)!)],
    );
    const locked = await c.query<{ gate: string; head_seq: number; head_hash: string; pending: number }>(
      'SELECT gate, head_seq, head_hash, (SELECT count(*)::int FROM pending_batches p WHERE p.gate = g.gate) AS pending FROM gate_chain g WHERE gate = ANY($1) ORDER BY gate FOR UPDATE',
      [gates],
    );
    const work = new Map<string, GateWork>();
    for (const r of locked.rows) work.set(r.gate, { site: siteOf.get(r.gate)!, head: r.head_seq < 0 ? undefined : { seq: r.head_seq, hash: r.head_hash }, pending: r.pending, progress: undefined });
    const known = await knownHashes(c, batches, work);
    const rows: JournalEvent[] = [];
    const sites: string[] = [];
    const alarms: AlarmRow[] = [];
    const take = (gate: string, prepared: PreparedBatch, fromPending: boolean): boolean => {
      const w = work.get(gate)!;
      const v = linkBatch(prepared, w.head, { get: (seq) => known.get(key(gate, seq)) });
      res.duplicates += v.duplicates;
      for (const p of v.problems) alarms.push(chainAlarm(gate, w.site, p));
      res.problems += v.problems.length;
      for (const e of v.late) {
        rows.push(e);
        sites.push(w.site);
        known.set(key(gate, e.seq), e.hash);
      }
      if (v.ahead && !fromPending) return false;
      // the first batch the centre sees of a gate: if it does not start at seq 1 an earlier
      // batch may still be on its way through another instance; wait for it like for a gap
      if (!w.head && !fromPending && v.accept[0] && v.accept[0].seq > 1 && !v.problems.length) {
        v.accept = [];
        v.head = undefined;
        return false;
      }
      for (const e of v.accept) {
        rows.push(e);
        sites.push(w.site);
        known.set(key(gate, e.seq), e.hash);
        const t = Date.parse(e.ts);
        w.progress = w.progress ? { oldest: Math.min(w.progress.oldest, t), newest: Math.max(w.progress.newest, t) } : { oldest: t, newest: t };
      }
      w.head = v.head;
      return true;
    };
    for (const b of batches) {
      if (take(b.gate, b.prepared ?? prepareBatch(b.gate, b.payload), false)) continue;
      const first = (b.payload as JournalEvent[])[0]!;
      const last = (b.payload as JournalEvent[]).at(-1)!;
      await c.query('INSERT INTO pending_batches (gate, first_seq, last_seq, site, events) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING', [b.gate, first.seq, last.seq, b.site, JSON.stringify(b.payload)]);
      work.get(b.gate)!.pending++;
      res.held++;
    }
    for (const [gate, w] of work) if (w.pending > 0 && w.head) await drainPending(c, gate, w, take);
    res.stored = rows.length;
    alarms.push(...(await checkCheckpoints(c, rows, sites, (gate, seq) => known.get(key(gate, seq)))));
    await insertEvents(c, rows, sites, alarms);
    await updateRollups(c, rows, sites);
    await applyAlarms(c, alarms);
    const progress: Progress[] = [];
    const added = new Map<string, { min: number; n: number }>();
    for (const e of rows) {
      const a = added.get(e.gate);
      if (a) (a.min = Math.min(a.min, e.seq), a.n++);
      else added.set(e.gate, { min: e.seq, n: 1 });
    }
    // one statement for every gate's new head (a fleet-wide group touches hundreds of gates)
    const heads: { g: string; s: number; h: string; f: number; n: number }[] = [];
    for (const [gate, w] of work) {
      if (!w.head) continue;
      const a = added.get(gate);
      heads.push({ g: gate, s: w.head.seq, h: w.head.hash, f: Math.min(a?.min ?? w.head.seq, w.head.seq), n: a?.n ?? 0 });
      if (w.progress) progress.push([gate, w.head.seq, w.progress.oldest, w.progress.newest]);
    }
    if (heads.length > 0) {
      await c.query(
        `UPDATE gate_chain c SET head_seq = v.s, head_hash = v.h, first_seq = CASE WHEN c.first_seq < 0 THEN v.f ELSE LEAST(c.first_seq, v.f) END, events = c.events + v.n, updated_at = now()
         FROM json_to_recordset($1::json) AS v(g text, s bigint, h text, f bigint, n bigint) WHERE c.gate = v.g`,
        [JSON.stringify(heads)],
      );
    }
    await c.query('INSERT INTO gates (gate, site, seen_at) SELECT g, s, now() FROM unnest($1::text[], $2::text[]) AS v(g, s) ORDER BY g ON CONFLICT (gate) DO UPDATE SET seen_at = now()', [gates, gates.map((g) => siteOf.get(g)!)]);
    await notifyProgress(c, progress, alarms.filter((a) => a.op === 'raise').length);
    return res;
  });
}

const key = (gate: string, seq: number): string => `${gate}#${seq}`;

/** Stored hashes of the events a group repeats (seq at or below the gate's head). */
async function knownHashes(c: PoolClient, batches: InboundBatch[], work: Map<string, GateWork>): Promise<Map<string, string>> {
  const g: string[] = [];
  const s: number[] = [];
  for (const b of batches) {
    const head = work.get(b.gate)?.head;
    if (!head || !Array.isArray(b.payload)) continue;
    for (const e of b.payload as { seq?: unknown }[]) if (Number.isSafeInteger(e?.seq) && (e.seq as number) <= head.seq) (g.push(b.gate), s.push(e.seq as number));
  }
  const map = new Map<string, string>();
  if (g.length > 0) {
    const r = await c.query<{ gate: string; seq: number; hash: string }>('SELECT gate, seq, hash FROM events WHERE (gate, seq) IN (SELECT * FROM unnest($1::text[], $2::bigint[]))', [g, s]);
    for (const row of r.rows) map.set(key(row.gate, row.seq), row.hash);
  }
  return map;
}

async function drainPending(c: PoolClient, gate: string, w: GateWork, take: (gate: string, prepared: PreparedBatch, fromPending: boolean) => boolean): Promise<void> {
  const r = await c.query<{ first_seq: number; events: unknown }>('SELECT first_seq, events FROM pending_batches WHERE gate = $1 ORDER BY first_seq', [gate]);
  for (const p of r.rows) {
    if (!w.head || p.first_seq > w.head.seq + 1) break;
    take(gate, prepareBatch(gate, p.events), true);
    await c.query('DELETE FROM pending_batches WHERE gate = $1 AND first_seq = $2', [gate, p.first_seq]);
    w.pending--;
  }
}

export interface AlarmRow {
  op: 'raise' | 'clear';
  gate: string;
  site: string;
  kind: string;
  code: string;
  detail: Record<string, unknown>;
  seq: number | null;
}

function chainAlarm(gate: string, site: string, p: ChainProblem): AlarmRow {
  const kind = 'chain_broken';
  return { op: 'raise', gate, site, kind, code: p.code, detail: { detail: p.detail }, seq: p.seq };
}

/**
 * Inserts accepted events. The privacy guard the gate applies before journalling is applied
 * again here: data that a faulty or forged gate sends with an image, template, token text
 * or raw identity number is never stored — the event keeps its place in the chain (its hash
 * was verified) with the data replaced by the refusal, and a CENTRAL_PRIVACY alarm is raised.
 */
async function insertEvents(c: PoolClient, rows: JournalEvent[], sites: string[], alarms: AlarmRow[]): Promise<void> {
  if (rows.length === 0) return;
  const out = rows.map((e, i) => {
    const refused = privacyOf(e);
    if (refused) alarms.push({ op: 'raise', gate: e.gate, site: sites[i]!, kind: 'gate_alarm', code: 'CENTRAL_PRIVACY', detail: { refused }, seq: e.seq });
    return { g: e.gate, q: e.seq, s: sites[i], i: e.id, t: e.ts, y: e.type, d: refused ? REDACTED : e.data, p: e.prev, h: e.hash };
  });
  // one JSON parameter (V8's native stringify; PostgreSQL's json_to_recordset) costs the
  // ingest ~10 µs per event where nine escaped text arrays cost ~50 (bench in decisions.md)
  await c.query(
    `INSERT INTO events (gate, seq, site, id, ts, type, data, prev, hash) SELECT g, q, s, i, t, y, d, p, h
     FROM json_to_recordset($1::json) AS v(g text, q bigint, s text, i text, t timestamptz, y text, d jsonb, p text, h text)`,
    [JSON.stringify(out)],
  );
  for (let i = 0; i < rows.length; i++) {
    const ch = alarmChange(rows[i]!);
    if (ch) alarms.push({ ...ch, gate: rows[i]!.gate, site: sites[i]!, seq: rows[i]!.seq });
  }
}

const REDACTED = { redacted: 'CENTRAL_PRIVACY' };

/** Files raised alarms (once per gate, kind, code and seq) and closes the ones a gate cleared. */
export async function applyAlarms(c: PoolClient, alarms: AlarmRow[]): Promise<void> {
  for (const a of alarms) {
    if (a.op === 'raise') {
      await c.query('INSERT INTO alarms (gate, site, kind, code, detail, seq) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (gate, kind, code, seq) WHERE seq IS NOT NULL DO NOTHING', [
        a.gate,
        a.site,
        a.kind,
        a.code,
        JSON.stringify(a.detail),
        a.seq,
      ]);
    } else {
      await c.query("UPDATE alarms SET cleared_at = now() WHERE gate = $1 AND kind = $2 AND cleared_at IS NULL AND (code = $3 OR (right($3, 1) = ':' AND starts_with(code, $3)))", [a.gate, a.kind, a.code]);
    }
  }
}

/** pg_notify payloads stay under PostgreSQL's 8000-byte limit: progress goes out in chunks. */
async function notifyProgress(c: PoolClient, progress: Progress[], alarms: number): Promise<void> {
  for (let i = 0; i < progress.length || (i === 0 && alarms > 0); i += 100) {
    await c.query('SELECT pg_notify($1, $2)', [NOTIFY_CHANNEL, JSON.stringify({ t: 'ingest', p: progress.slice(i, i + 100), alarms: i === 0 ? alarms : 0 })]);
  }
}
