import { statSync, writeFileSync, chmodSync, readFileSync } from 'node:fs';
import { createHmac } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { JournalError, KeyFileError } from '../../kiosk/journal/errors.ts';
import { assertJournalSafe } from '../../kiosk/journal/privacy-guard.ts';
import { Pseudonymizer } from '../../kiosk/journal/pseudonym.ts';
import { crossingFinished, journalFixture } from './helpers.ts';

function refusedWith(data: unknown, code: string): void {
  try {
    assertJournalSafe(data);
  } catch (err) {
    assert.instance(err, JournalError);
    assert.is((err as JournalError).code, code, (err as Error).message);
    return;
  }
  assert.unreachable(`accepted ${JSON.stringify(data)?.slice(0, 80)}`);
}

test('keys naming images, templates, token text or raw ids are refused wherever they are', () => {
  for (const data of [
    { image: 'x' },
    { live_image: 'x' },
    { referenceTemplate: 'x' },
    { embedding: [1, 2] },
    { token: 'HC1:...' },
    { qr_text: 'x' },
    { sub: 'R0012345' },
    { documentNumber: 'K1234567' },
    { nested: { deeper: [{ mrz: 'P<HKG' }] } },
    { photo: null },
    { face: 'x' },
  ]) refusedWith(data, 'JOURNAL_PRIVACY');
});

test('binary data is refused anywhere: Buffer, typed arrays, ArrayBuffer', () => {
  refusedWith({ blob: Buffer.from('abc') }, 'JOURNAL_PRIVACY');
  refusedWith({ a: { b: [new Float32Array(512)] } }, 'JOURNAL_PRIVACY');
  refusedWith({ raw: new Uint8Array(4).buffer }, 'JOURNAL_PRIVACY');
  refusedWith({ view: new DataView(new ArrayBuffer(2)) }, 'JOURNAL_PRIVACY');
});

test('a template spread into a number array, a long string and a raw subject are refused', () => {
  refusedWith({ scores: Array.from(new Float32Array(512), (_, i) => i / 512) }, 'JOURNAL_PRIVACY');
  refusedWith({ note: 'A'.repeat(5000) }, 'JOURNAL_PRIVACY');
  refusedWith({ subject: 'R0012345' }, 'JOURNAL_PRIVACY');
});

test('non-JSON data is refused as bad data', () => {
  refusedWith({ t: new Date() }, 'JOURNAL_BAD_DATA');
  refusedWith({ n: Number.NaN }, 'JOURNAL_BAD_DATA');
  refusedWith({ n: 10n }, 'JOURNAL_BAD_DATA');
  refusedWith({ f: () => 1 }, 'JOURNAL_BAD_DATA');
  refusedWith([1, 2], 'JOURNAL_BAD_DATA');
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  refusedWith(cyclic, 'JOURNAL_BAD_DATA');
});

test('ordinary event data passes: scores, durations, codes, pseudonyms, short quality issue lists', () => {
  assertJournalSafe(crossingFinished(1, 'a'.repeat(32)));
  assertJournalSafe({ device: 'door', code: 'MOTOR_FAULT', token_type: 'qr', frame_count: 12, issues: ['pose', 'too_far'] });
});

test('append refuses leaking data and writes nothing; the error names the path, not the value', () => {
  const f = journalFixture();
  const j = f.open();
  try {
    j.append('gate_started', { version: '1' });
    const secretValue = 'R9876543';
    for (const [type, data] of [
      ['token_checked', { crossing: 'X1', token_type: 'qr', ok: true, reason: null, subject: secretValue }],
      ['face_attempt', { crossing: 'X1', attempt: 1, match_score: 0.5, liveness_score: 0.9, issues: [], frameJpeg: Buffer.from(secretValue) }],
      ['maintenance_action', { action: 'enrol', sub: secretValue }],
    ] as const) {
      try {
        j.append(type, data as never);
        assert.unreachable('append accepted leaking data');
      } catch (err) {
        assert.is((err as JournalError).code, 'JOURNAL_PRIVACY');
        assert.not.match((err as Error).message, secretValue);
      }
    }
    assert.is(j.lastSeq(), 1);
    assert.not.match(readFileSync(f.path).toString('latin1'), secretValue);
  } finally {
    j.close();
    f.cleanup();
  }
});

test('crossing_finished data is checked: outcome code, pseudonym, durations', () => {
  const f = journalFixture();
  const j = f.open();
  try {
    const bad = (data: unknown, why: RegExp): void => {
      try {
        j.append('crossing_finished', data as never);
        assert.unreachable('accepted');
      } catch (err) {
        assert.is((err as JournalError).code, 'JOURNAL_BAD_DATA');
        assert.match((err as Error).message, why);
      }
    };
    bad({ ...crossingFinished(1), outcome: 'OK' }, /outcome/);
    bad({ ...crossingFinished(1), durations: { token_ms: 1 } }, /durations/);
    const { attempts: _, ...noAttempts } = crossingFinished(1);
    bad(noAttempts, /attempts/);
    try {
      j.append('no_such_type' as never, {} as never);
      assert.unreachable('accepted');
    } catch (err) {
      assert.is((err as JournalError).code, 'JOURNAL_BAD_TYPE');
    }
    assert.is(j.lastSeq(), 0);
  } finally {
    j.close();
    f.cleanup();
  }
});

test('pseudonyms: HMAC-SHA256 of the sub with the gate secret, first 16 bytes hex, stable across reopen', () => {
  const f = journalFixture();
  const j1 = f.open();
  const p1 = j1.pseudonym('R0012345');
  j1.close();
  const st = statSync(f.secretPath);
  assert.is(st.mode & 0o777, 0o600);
  assert.is(st.size, 32);
  const secret = readFileSync(f.secretPath);
  assert.is(p1, createHmac('sha256', secret).update('R0012345').digest('hex').slice(0, 32));
  const j2 = f.open();
  try {
    assert.is(j2.pseudonym('R0012345'), p1);
    assert.is.not(j2.pseudonym('R0012346'), p1);
    assert.is.not(new Pseudonymizer(Buffer.alloc(32, 7)).pseudonym('R0012345'), p1);
  } finally {
    j2.close();
    f.cleanup();
  }
});

test('a gate secret readable by others or of the wrong size is refused with a typed error', () => {
  const f = journalFixture();
  try {
    f.open().close();
    chmodSync(f.secretPath, 0o644);
    assert.throws(() => f.open(), (e: unknown) => e instanceof KeyFileError && e.code === 'KEY_FILE_PERMISSIONS');
    writeFileSync(f.secretPath, Buffer.alloc(5), { mode: 0o600 });
    chmodSync(f.secretPath, 0o600);
    assert.throws(() => f.open(), (e: unknown) => e instanceof KeyFileError && e.code === 'KEY_FILE_INVALID');
  } finally {
    f.cleanup();
  }
});

test.run();
