import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { JournalEvent } from './event-types.ts';

/** `prev` of the first event of a gate's chain. */
export const GENESIS_PREV = '0'.repeat(64);

export type HashedFields = Pick<JournalEvent, 'id' | 'seq' | 'gate' | 'ts' | 'type' | 'data'>;

/** RFC 8785 canonical JSON (JCS) of the hashed fields, and nothing else. */
export function canonicalEventJson(e: HashedFields): string {
  const text = canonicalize({ id: e.id, seq: e.seq, gate: e.gate, ts: e.ts, type: e.type, data: e.data });
  if (text === undefined) throw new TypeError('event is not JSON');
  return text;
}

/** hash = lower-case hex SHA-256 over UTF-8(prev ‖ JCS({id,seq,gate,ts,type,data})), events.md. */
export function eventHash(prev: string, e: HashedFields): string {
  return createHash('sha256').update(prev, 'utf8').update(canonicalEventJson(e), 'utf8').digest('hex');
}
