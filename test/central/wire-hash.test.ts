import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { jcs, wireEventHash } from '../../central/ingest/wire-hash.ts';
import { eventHash, type JournalEvent } from '../../kiosk/journal/index.ts';
import canonicalize from 'canonicalize';
import { propertyRun } from '../helpers/property.ts';

/** What canonicalize does with a value: its text, or that it threw. */
const general = (v: unknown): string => {
  try {
    return canonicalize(v) ?? 'undefined';
  } catch {
    return 'THROWS';
  }
};
const fast = (v: unknown): string => {
  try {
    return jcs(v);
  } catch {
    return 'THROWS';
  }
};

// strings of any UTF-16 units (lone surrogates included), keys too; numbers of every kind JSON holds
const anyString = fc.string({ unit: 'binary', maxLength: 12 });
const json = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, fc.constant(null), fc.boolean(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer(), anyString, tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 5 }),
  object: fc.dictionary(anyString, tie('value'), { maxKeys: 6 }),
})).value;

test('jcs equals the canonicalize package on any JSON.parse output', () => {
  fc.assert(
    fc.property(json, (v) => {
      // what the wire delivers: JSON text parsed again (drops -0, keeps lone surrogates as escapes)
      const parsed: unknown = JSON.parse(JSON.stringify(v));
      assert.is(fast(parsed), general(parsed));
    }),
    propertyRun('jcs = canonicalize', { numRuns: 3000 }),
  );
});

test('wireEventHash equals the journal\'s eventHash for any event data', () => {
  fc.assert(
    fc.property(fc.dictionary(anyString, json, { maxKeys: 6 }), fc.integer({ min: 1, max: 2 ** 40 }), anyString, (data, seq, id) => {
      const e = JSON.parse(JSON.stringify({ id, seq, gate: 'LMC-A-01', ts: '2026-12-02T09:00:00.123Z', type: 'crossing_finished', data, prev: 'f'.repeat(64), hash: '' })) as JournalEvent;
      let want: string;
      try {
        want = eventHash(e.prev, e);
      } catch {
        want = 'THROWS';
      }
      let got: string;
      try {
        got = wireEventHash(e.prev, e);
      } catch {
        got = 'THROWS';
      }
      assert.is(got, want);
    }),
    propertyRun('wireEventHash = eventHash', { numRuns: 2000 }),
  );
});

test('a lone surrogate in a key or a value is refused, as by the journal', () => {
  assert.throws(() => jcs({ ['\ud800']: 1 }));
  assert.throws(() => jcs(['x\udc00']));
  assert.is(jcs({ b: [1, 'é', null], a: { y: 1e21, x: -0.5 } }), '{"a":{"x":-0.5,"y":1e+21},"b":[1,"é",null]}');
});

test.run();
