import { createHash } from 'node:crypto';
import type { JournalEvent } from '../../kiosk/journal/index.ts';

/**
 * The journal's event hash (kiosk/journal/hash.ts: SHA-256 over prev ‖ JCS of the hashed
 * fields), recomputed for events that came off the wire. It is the ingest's hottest path:
 * the general `canonicalize` package walks every string char by char for lone surrogates
 * and allocates a Set per value, which cost ~20 µs of the centre's ~120 µs per event. This
 * one takes only what JSON.parse can produce (null, boolean, finite number, string, array,
 * plain object), checks strings with the engine's isWellFormed, and writes the outer
 * object's keys in their fixed JCS order. test/central/wire-hash.test.ts holds it equal to
 * the journal's own eventHash on generated JSON (seed printed); anything it cannot encode
 * throws, as canonicalize does, and the ingest files that as a bad hash.
 */

interface WellFormed {
  isWellFormed(): boolean;
}

function str(s: string): string {
  if (!(s as unknown as WellFormed).isWellFormed()) throw new TypeError('lone surrogate is not allowed');
  return JSON.stringify(s);
}

/** RFC 8785 canonical JSON of a value JSON.parse produced. */
export function jcs(v: unknown): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'string':
      return str(v);
    case 'number':
      if (!Number.isFinite(v)) throw new TypeError('non-finite number is not allowed');
      return JSON.stringify(v);
    case 'boolean':
      return v ? 'true' : 'false';
    case 'object': {
      if (Array.isArray(v)) {
        let out = '[';
        for (let i = 0; i < v.length; i++) {
          if (i > 0) out += ',';
          const x: unknown = v[i];
          out += x === undefined ? 'null' : jcs(x);
        }
        return out + ']';
      }
      const o = v as Record<string, unknown>;
      // a value with toJSON is not what JSON.parse makes: leave it to the general path's error
      if (typeof o.toJSON === 'function') throw new TypeError('not plain JSON');
      const keys = Object.keys(o).sort();
      let out = '{';
      let first = true;
      for (const k of keys) {
        const x = o[k];
        if (x === undefined) continue;
        out += (first ? '' : ',') + str(k) + ':' + jcs(x);
        first = false;
      }
      return out + '}';
    }
    default:
      throw new TypeError(`${typeof v} is not JSON`);
  }
}

/** Same result as kiosk/journal eventHash(prev, e) for an event whose shape was checked (shapeProblem). */
export function wireEventHash(prev: string, e: JournalEvent): string {
  // JCS key order of {id, seq, gate, ts, type, data}: data, gate, id, seq, ts, type
  const text = `{"data":${jcs(e.data)},"gate":${str(e.gate)},"id":${str(e.id)},"seq":${JSON.stringify(e.seq)},"ts":${str(e.ts)},"type":${str(e.type)}}`;
  return createHash('sha256').update(prev, 'utf8').update(text, 'utf8').digest('hex');
}
