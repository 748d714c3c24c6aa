import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import canonicalize from 'canonicalize';
import { EnrolmentError } from '../../kiosk/enrolment/errors.ts';
import { keyId, seal } from '../../kiosk/enrolment/sealed.ts';
import { exportReferences, importReferences } from '../../kiosk/enrolment/transfer.ts';
import { loadOrCreateKeyFile } from '../../kiosk/journal/key-file.ts';
import { QUALITY, storeFixture, template, templateWindows } from './helpers.ts';

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return (err as EnrolmentError).code;
  }
  return 'no error';
}

const NOW = new Date('2026-11-23T09:00:00.000Z');

test('export → import into a gate with another store key, via a transfer key: exact round trip', () => {
  const a = storeFixture();
  const b = storeFixture();
  const src = a.open();
  const dst = b.open();
  try {
    for (let i = 1; i <= 5; i++) src.upsert(`R000000${i}`, template(i), { source: 'photo', quality: i % 2 ? QUALITY : null });
    dst.upsert('R0000001', template(99), { source: 'photo' });
    const transfer = loadOrCreateKeyFile(`${a.dir}/keys/transfer.key`);
    const file = `${a.dir}/refs.export`;
    assert.is(exportReferences(src, file, transfer, NOW), 5);
    assert.is(statSync(file).mode & 0o777, 0o600);
    assert.equal(importReferences(dst, file, transfer), { imported: 5, replaced: 1 });
    for (const s of src.list()) {
      const got = dst.get(s.sub)!;
      assert.equal(Array.from(got.template), Array.from(src.get(s.sub)!.template));
      assert.equal(got.quality, s.quality);
      assert.is(got.enrolledAt, s.enrolledAt);
      assert.is(got.source, 'import');
    }
  } finally {
    src.close();
    dst.close();
    a.cleanup();
    b.cleanup();
  }
});

test('the export file reveals neither templates nor subs', () => {
  const a = storeFixture();
  const s = a.open();
  try {
    const t = template(7);
    s.upsert('R7654321', t, { source: 'photo' });
    const file = `${a.dir}/refs.export`;
    exportReferences(s, file, loadOrCreateKeyFile(a.keyPath), NOW);
    const raw = readFileSync(file);
    assert.is(raw.indexOf('R7654321'), -1);
    for (const w of templateWindows(t)) {
      assert.is(raw.indexOf(w), -1);
      assert.is(raw.indexOf(w.toString('base64').slice(4, 36)), -1);
    }
    const json = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
    assert.equal(Object.keys(json).sort(), ['count', 'created', 'format', 'iv', 'keyId', 'sealed', 'tag', 'version']);
  } finally {
    s.close();
    a.cleanup();
  }
});

test('wrong transfer key, altered header, garbage and missing files are refused with typed errors', () => {
  const a = storeFixture();
  const s = a.open();
  try {
    s.upsert('R0000001', template(1), { source: 'photo' });
    const key = loadOrCreateKeyFile(a.keyPath);
    const file = `${a.dir}/refs.export`;
    exportReferences(s, file, key, NOW);
    assert.is(code(() => importReferences(s, file, Buffer.alloc(32, 9))), 'ENROLMENT_WRONG_KEY');
    const env = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    writeFileSync(`${file}.count`, JSON.stringify({ ...env, count: 0 }));
    assert.is(code(() => importReferences(s, `${file}.count`, key)), 'ENROLMENT_DECRYPT_FAILED');
    writeFileSync(`${file}.junk`, 'not json');
    assert.is(code(() => importReferences(s, `${file}.junk`, key)), 'ENROLMENT_EXPORT_INVALID');
    assert.is(code(() => importReferences(s, `${a.dir}/absent`, key)), 'ENROLMENT_IO');
  } finally {
    s.close();
    a.cleanup();
  }
});

test('import is all or nothing: one bad record leaves the store untouched', () => {
  const a = storeFixture();
  const s = a.open();
  try {
    s.upsert('R0000001', template(1), { source: 'photo' });
    const key = loadOrCreateKeyFile(a.keyPath);
    const good = { sub: 'R0000002', template: Buffer.from(new Float32Array(template(2)).buffer).toString('base64'), source: 'photo', quality: null, enrolledAt: NOW.toISOString() };
    const bad = { ...good, sub: 'R0000003', template: Buffer.alloc(100).toString('base64') };
    const h = { format: 'egate-references', version: 1, created: NOW.toISOString(), count: 2, keyId: keyId(key) };
    const box = seal(key, Buffer.from(JSON.stringify([good, bad])), Buffer.from(canonicalize(h)!));
    const file = `${a.dir}/crafted.export`;
    writeFileSync(file, JSON.stringify({ ...h, iv: box.iv.toString('base64'), tag: box.tag.toString('base64'), sealed: box.sealed.toString('base64') }));
    assert.is(code(() => importReferences(s, file, key)), 'ENROLMENT_BAD_TEMPLATE');
    assert.equal(s.list().map((r) => r.sub), ['R0000001']);
  } finally {
    s.close();
    a.cleanup();
  }
});

test.run();
