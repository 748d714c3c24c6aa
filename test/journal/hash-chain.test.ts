import { createHash } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { GENESIS_PREV, canonicalEventJson, eventHash } from '../../kiosk/journal/hash.ts';
import { verifyJournal } from '../../kiosk/journal/verify.ts';
import { crossingFinished, journalFixture } from './helpers.ts';

/**
 * A second, independent RFC 8785 serialiser written here (not the `canonicalize` package):
 * keys sorted by UTF-16 code units at every level, no whitespace, numbers as ECMAScript
 * prints them (JSON.stringify of a finite number is exactly that), strings JSON-escaped.
 */
function jcs(v: unknown): string {
  if (v === null || typeof v === 'boolean' || typeof v === 'number' || typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(jcs).join(',')}]`;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o).filter((k) => o[k] !== undefined).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${keys.map((k) => `${JSON.stringify(k)}:${jcs(o[k])}`).join(',')}}`;
}

const sha256 = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');

test('hand-written event: canonical JSON and hash match a literal string computed by hand', () => {
  const event = {
    id: '01JD3Z8Q4T5V6W7X8Y9Z0A1B2C',
    seq: 1042,
    gate: 'LMC-A-07',
    ts: '2026-11-22T14:32:13.123Z',
    type: 'crossing_finished' as const,
    data: { z: 1e21, a: [0.1, -0, 1.5e-7], 'é': 'ü', B: { y: true, x: null }, n: 100 },
  };
  // Written out by hand per RFC 8785: "B" < "a" < "n" < "z" < "é" by code unit; -0 prints 0.
  const literal =
    '{"data":{"B":{"x":null,"y":true},"a":[0.1,0,1.5e-7],"n":100,"z":1e+21,"é":"ü"},' +
    '"gate":"LMC-A-07","id":"01JD3Z8Q4T5V6W7X8Y9Z0A1B2C","seq":1042,"ts":"2026-11-22T14:32:13.123Z","type":"crossing_finished"}';
  assert.is(jcs(event), literal);
  assert.is(canonicalEventJson(event as never), literal);
  const prev = 'ab'.repeat(32);
  assert.is(eventHash(prev, event as never), sha256(prev + literal));
});

test('journal events hash as sha256(prev ‖ JCS) computed independently, prev links, first prev is zeros', () => {
  const f = journalFixture();
  const j = f.open();
  try {
    const events = [];
    for (let i = 1; i <= 5; i++) {
      f.clock.advance(1234);
      events.push(j.append('crossing_finished', crossingFinished(i, j.pseudonym(`R00${i}`))));
    }
    events.push(j.append('mode_changed', { from: 'in_service', to: 'maintenance', reason: 'technician' }));
    let prev = '0'.repeat(64);
    assert.is(GENESIS_PREV, prev);
    events.forEach((e, i) => {
      assert.is(e.seq, i + 1);
      assert.is(e.prev, prev);
      assert.match(e.ts, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      const { id, seq, gate, ts, type, data } = e;
      assert.is(e.hash, sha256(prev + jcs({ id, seq, gate, ts, type, data })));
      prev = e.hash;
    });
    // what readAfter returns (the MQTT payload) hashes the same way
    for (const e of j.readAfter(0, 100)) {
      const { id, seq, gate, ts, type, data } = e;
      assert.is(e.hash, sha256(e.prev + jcs({ id, seq, gate, ts, type, data })));
    }
    assert.is(events[1]!.ts, new Date(f.clock.now() - 3 * 1234).toISOString());
    assert.equal(verifyJournal(j.db), { ok: true, events: 6, anchorSeq: 0, lastGoodSeq: 6 });
  } finally {
    j.close();
    f.cleanup();
  }
});

test('ids are ULIDs, unique and increasing; undefined keys are dropped before hashing', () => {
  const f = journalFixture();
  const j = f.open();
  try {
    const a = j.append('gate_started', { version: '1', note: undefined });
    const b = j.append('gate_started', { version: '1' });
    assert.match(a.id, /^[0-9A-HJKMNP-TV-Z]{26}$/);
    assert.ok(a.id < b.id);
    assert.equal(a.data, { version: '1' });
    assert.ok(verifyJournal(j.db).ok);
  } finally {
    j.close();
    f.cleanup();
  }
});

test.run();
