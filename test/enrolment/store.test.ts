import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { EnrolmentError } from '../../kiosk/enrolment/errors.ts';
import { QUALITY, storeFixture, template, templateWindows } from './helpers.ts';

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.instance(err, Error);
    return (err as EnrolmentError).code;
  }
  return 'no error';
}

test('upsert, get, has, list, remove: templates round-trip bit for bit; list carries no template', () => {
  const f = storeFixture();
  const s = f.open();
  try {
    const t = template(1);
    assert.is(s.upsert('R0012345', t, { source: 'photo', quality: QUALITY }), false);
    s.upsert('R0000002', template(2), { source: 'central' });
    assert.ok(s.has('R0012345'));
    assert.not.ok(s.has('R9999999'));
    assert.is(s.get('R9999999'), undefined);
    const ref = s.get('R0012345')!;
    assert.equal(Array.from(ref.template), Array.from(t));
    assert.equal(ref.quality, QUALITY);
    assert.is(ref.source, 'photo');
    assert.is(ref.enrolledAt, '2026-11-23T08:00:00.000Z');
    const list = s.list();
    assert.equal(list.map((r) => r.sub), ['R0000002', 'R0012345']);
    assert.not.ok(list.some((r) => 'template' in r));
    f.clock.advance(60_000);
    assert.is(s.upsert('R0012345', template(3), { source: 'photo', quality: QUALITY }), true);
    const again = s.get('R0012345')!;
    assert.is(again.enrolledAt, '2026-11-23T08:00:00.000Z');
    assert.is(again.updatedAt, '2026-11-23T08:01:00.000Z');
    assert.equal(Array.from(again.template), Array.from(template(3)));
    assert.ok(s.remove('R0012345'));
    assert.not.ok(s.remove('R0012345'));
    assert.is(s.count(), 1);
  } finally {
    s.close();
    f.cleanup();
  }
});

test('at rest: database and WAL files hold no template bytes; key and store are mode 0600', () => {
  const f = storeFixture();
  const s = f.open();
  const templates = [template(11), template(12), template(13)];
  try {
    templates.forEach((t, i) => s.upsert(`R000000${i}`, t, { source: 'photo' }));
    const raw = Buffer.concat([f.path, `${f.path}-wal`].filter(existsSync).map((p) => readFileSync(p)));
    assert.ok(raw.length > 3 * 2048, 'the files hold the sealed templates');
    for (const t of templates) for (const w of templateWindows(t)) assert.is(raw.indexOf(w), -1, 'plaintext template bytes on disk');
    assert.is(statSync(f.keyPath).mode & 0o777, 0o600);
    assert.is(statSync(f.path).mode & 0o777, 0o600);
    assert.is(statSync(f.keyPath).size, 32);
  } finally {
    s.close();
    f.cleanup();
  }
});

test('a fresh IV per record: the same template under two subs seals differently', () => {
  const f = storeFixture();
  const s = f.open();
  try {
    s.upsert('A1', template(5), { source: 'photo' });
    s.upsert('A2', template(5), { source: 'photo' });
    s.upsert('A1', template(5), { source: 'photo' });
    const db = new Database(f.path, { readonly: true });
    const rows = db.prepare('SELECT iv, sealed FROM enrolled_reference').all() as { iv: Buffer; sealed: Buffer }[];
    db.close();
    assert.is(rows.length, 2);
    assert.not.ok(rows[0]!.iv.equals(rows[1]!.iv));
    assert.not.ok(rows[0]!.sealed.equals(rows[1]!.sealed));
  } finally {
    s.close();
    f.cleanup();
  }
});

test('another key is refused at open (ENROLMENT_WRONG_KEY), and fails authentication if the check is bypassed', () => {
  const f = storeFixture();
  f.open().upsert('R0012345', template(1), { source: 'photo' });
  const otherKey = `${f.dir}/keys/other.key`;
  try {
    assert.is(code(() => f.open(otherKey)), 'ENROLMENT_WRONG_KEY');
    const db = new Database(f.path);
    db.prepare("DELETE FROM store_meta WHERE key = 'key_id'").run();
    db.close();
    const s = f.open(otherKey);
    assert.ok(s.has('R0012345'));
    assert.is(code(() => s.get('R0012345')), 'ENROLMENT_DECRYPT_FAILED');
    s.close();
  } finally {
    f.cleanup();
  }
});

test('rows swapped between subs, or a flipped ciphertext bit, fail with ENROLMENT_DECRYPT_FAILED', () => {
  const f = storeFixture();
  const s = f.open();
  try {
    s.upsert('R0000001', template(1), { source: 'photo' });
    s.upsert('R0000002', template(2), { source: 'photo' });
    s.upsert('R0000003', template(3), { source: 'photo' });
    const db = new Database(f.path);
    const get = db.prepare('SELECT iv, sealed, tag FROM enrolled_reference WHERE sub = ?');
    const put = db.prepare('UPDATE enrolled_reference SET iv = @iv, sealed = @sealed, tag = @tag WHERE sub = @sub');
    const a = get.get('R0000001') as Record<string, Buffer>;
    const b = get.get('R0000002') as Record<string, Buffer>;
    put.run({ ...a, sub: 'R0000002' });
    put.run({ ...b, sub: 'R0000001' });
    const c = get.get('R0000003') as Record<string, Buffer>;
    const flipped = Buffer.from(c.sealed!);
    flipped[100] = flipped[100]! ^ 1;
    put.run({ ...c, sealed: flipped, sub: 'R0000003' });
    db.close();
    for (const sub of ['R0000001', 'R0000002', 'R0000003']) assert.is(code(() => s.get(sub)), 'ENROLMENT_DECRYPT_FAILED');
  } finally {
    s.close();
    f.cleanup();
  }
});

test('bad subs and templates are refused with typed errors that do not echo the sub', () => {
  const f = storeFixture();
  const s = f.open();
  try {
    assert.is(code(() => s.upsert('', template(1), { source: 'photo' })), 'ENROLMENT_BAD_SUB');
    assert.is(code(() => s.remove('a\nb')), 'ENROLMENT_BAD_SUB');
    assert.is(s.has('a\nb'), false);
    assert.is(s.get('X'.repeat(500)), undefined);
    assert.is(code(() => s.upsert('R1', new Float32Array(128), { source: 'photo' })), 'ENROLMENT_BAD_TEMPLATE');
    assert.is(code(() => s.upsert('R1', new Float32Array(512).fill(Number.NaN), { source: 'photo' })), 'ENROLMENT_BAD_TEMPLATE');
    assert.is(code(() => s.upsert('R1', Array.from(template(1)) as never, { source: 'photo' })), 'ENROLMENT_BAD_TEMPLATE');
    assert.is(code(() => s.upsert('R1', template(1), { source: 'photo of John Doe.jpg' })), 'ENROLMENT_BAD_ARGUMENT');
    try {
      s.upsert('X'.repeat(200), template(1), { source: 'photo' });
    } catch (err) {
      assert.not.match((err as Error).message, 'XXXX');
    }
    assert.is(s.count(), 0);
  } finally {
    s.close();
    f.cleanup();
  }
});

test('a file that is not a reference store is refused with ENROLMENT_IO', () => {
  const f = storeFixture();
  try {
    writeFileSync(f.path, 'not a database '.repeat(300));
    assert.is(code(() => f.open()), 'ENROLMENT_IO');
  } finally {
    f.cleanup();
  }
});

test.run();
