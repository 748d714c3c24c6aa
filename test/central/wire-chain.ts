import { eventHash, type JournalEvent } from '../../kiosk/journal/index.ts';

/** A chain of `n` valid events for a gate that exists only on the wire (the forger's view, or a gate's stream written by hand). */
export function chain(gate: string, n: number, from = 1, prev = '0'.repeat(64)): JournalEvent[] {
  const out: JournalEvent[] = [];
  for (let seq = from; seq < from + n; seq++) {
    const e = { id: `01WIRE${gate}${seq}`.slice(0, 26), seq, gate, ts: new Date(Date.UTC(2026, 11, 2, 9, 0, seq)).toISOString(), type: 'maintenance_action', data: { action: 'probe', n: seq } } as unknown as JournalEvent;
    e.prev = prev;
    e.hash = eventHash(prev, e);
    prev = e.hash;
    out.push(e);
  }
  return out;
}
