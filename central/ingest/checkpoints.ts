import { createPublicKey, type KeyObject } from 'node:crypto';
import { openCheckpoint, CHECKPOINT_EVENT } from '../../kiosk/journal/checkpoint.ts';
import type { JournalEvent } from '../../kiosk/journal/index.ts';
import type { PoolClient } from '../db/pool.ts';
import type { AlarmRow } from './store.ts';

/**
 * Signed journal checkpoints (kiosk/journal/checkpoint.ts) among the accepted events: each
 * must verify with the checkpoint key registered for its gate and kid (table gate_keys,
 * filled by `central gate-key add`), name its own gate, and sign the hash the centre holds
 * for that seq. Anything else is a CHAIN_BAD_SIGNATURE alarm; a kid the centre does not
 * know is CHECKPOINT_UNKNOWN_KEY (a key that changed without the centre being told).
 */
export async function checkCheckpoints(c: PoolClient, accepted: JournalEvent[], sites: string[], hashOf: (gate: string, seq: number) => string | undefined): Promise<AlarmRow[]> {
  const idx = accepted.map((e, i) => (e.type === CHECKPOINT_EVENT ? i : -1)).filter((i) => i >= 0);
  if (idx.length === 0) return [];
  const gates = [...new Set(idx.map((i) => accepted[i]!.gate))];
  const keys = await c.query<{ gate: string; kid: string; pem: string }>('SELECT gate, kid, pem FROM gate_keys WHERE gate = ANY($1)', [gates]);
  const keyOf = new Map<string, KeyObject>(keys.rows.map((k) => [`${k.gate}#${k.kid}`, createPublicKey(k.pem)]));
  const alarms: AlarmRow[] = [];
  for (const i of idx) {
    const e = accepted[i]!;
    const d = e.data as { seq?: unknown; hash?: unknown; kid?: unknown; signed?: unknown };
    const raise = (code: string, detail: string): void => {
      alarms.push({ op: 'raise', gate: e.gate, site: sites[i]!, kind: 'chain_broken', code, detail: { detail, checkpoint_seq: d.seq ?? null }, seq: e.seq });
    };
    const key = keyOf.get(`${e.gate}#${String(d.kid)}`);
    if (!key) {
      raise('CHECKPOINT_UNKNOWN_KEY', 'no checkpoint key registered for this gate and kid');
      continue;
    }
    const opened = typeof d.signed === 'string' ? openCheckpoint(new Uint8Array(Buffer.from(d.signed, 'base64')), key) : { ok: false as const, detail: 'no signature' };
    if (!opened.ok) {
      raise('CHAIN_BAD_SIGNATURE', opened.detail);
      continue;
    }
    const p = opened.payload;
    if (p.gate !== e.gate || p.seq !== d.seq || p.hash !== d.hash) {
      raise('CHAIN_BAD_SIGNATURE', 'signed head differs from the event that carries it');
      continue;
    }
    const held = await heldHash(c, e.gate, p.seq, hashOf);
    if (held !== undefined && held !== p.hash) raise('CHAIN_BAD_SIGNATURE', `signed hash of seq ${p.seq} differs from the chain the centre holds`);
  }
  return alarms;
}

async function heldHash(c: PoolClient, gate: string, seq: number, hashOf: (gate: string, seq: number) => string | undefined): Promise<string | undefined> {
  const local = hashOf(gate, seq);
  if (local !== undefined) return local;
  const r = await c.query<{ hash: string }>('SELECT hash FROM events WHERE gate = $1 AND seq = $2 LIMIT 1', [gate, seq]);
  return r.rows[0]?.hash;
}
