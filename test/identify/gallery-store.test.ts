import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { GalleryIndex, IdentifyError } from '../../kiosk/identify/index.ts';
import { storeFixture, template } from '../enrolment/helpers.ts';

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.instance(err, IdentifyError);
    return (err as IdentifyError).code;
  }
  return 'no error';
}

test('only residents who opted in are loaded; opted-out and withdrawn residents are never returned', () => {
  const f = storeFixture();
  try {
    const s = f.open();
    for (let i = 1; i <= 6; i++) s.upsert(`R${i}`, template(i), { source: 'photo' });
    for (const sub of ['R1', 'R2', 'R4', 'R5']) assert.ok(s.setIdentificationOptIn(sub, true));
    assert.not.ok(s.setIdentificationOptIn('R1', true), 'opting in twice changes nothing');
    assert.ok(s.setIdentificationOptIn('R4', false), 'R4 withdrew');
    assert.ok(s.remove('R5'), 'R5 left the scheme entirely');
    s.upsert('R5', template(5), { source: 'photo' }); // re-enrolled later: consent does not come back by itself
    assert.is(s.isIdentificationOptedIn('R5'), false);
    assert.throws(() => s.setIdentificationOptIn('R9', true), /only an enrolled resident/);
    s.close();

    for (const quantized of [false, true]) {
      const g = GalleryIndex.fromStore({ path: f.path, keyPath: f.keyPath, clock: f.clock, quantized });
      assert.is(g.size, 2);
      assert.ok(g.has('R1') && g.has('R2'));
      for (let i = 1; i <= 6; i++) {
        // the exact enrolled template of every resident, asking for everyone in the gallery
        const subs = g.search(template(i), 10).map((c) => c.sub);
        assert.equal(subs.sort(), ['R1', 'R2']);
        const d = g.identify(template(i), { threshold: 0.9, margin: 0 });
        if (i <= 2) assert.equal(d.decision === 'identified' && d.sub, `R${i}`);
        else assert.is(d.decision, 'not_identified', `R${i} did not opt in and must not be identified`);
      }
      g.close();
    }
  } finally {
    f.cleanup();
  }
});

test('a missing store or key, a wrong key, a garbage file or a tampered opted-in record is a typed error', () => {
  const f = storeFixture();
  try {
    const open = (o: Partial<{ path: string; keyPath: string }> = {}): GalleryIndex => GalleryIndex.fromStore({ path: f.path, keyPath: f.keyPath, clock: f.clock, ...o });
    assert.is(code(() => open()), 'IDENTIFY_GALLERY_MISSING');
    const s = f.open();
    s.upsert('R1', template(1), { source: 'photo' });
    s.upsert('R2', template(2), { source: 'photo' });
    s.setIdentificationOptIn('R1', true);
    s.close();
    assert.is(open().size, 1);
    assert.is(code(() => open({ keyPath: join(f.dir, 'no-such.key') })), 'IDENTIFY_GALLERY_MISSING');
    writeFileSync(join(f.dir, 'other.key'), Buffer.alloc(32, 7), { mode: 0o600 });
    assert.is(code(() => open({ keyPath: join(f.dir, 'other.key') })), 'IDENTIFY_GALLERY_WRONG_KEY');
    const garbage = join(f.dir, 'garbage.sqlite');
    writeFileSync(garbage, Buffer.alloc(8192, 0x5a));
    assert.is(code(() => open({ path: garbage })), 'IDENTIFY_GALLERY_CORRUPT');

    // a record that is not opted in may be damaged without stopping the gallery ...
    const db = new Database(f.path);
    db.prepare("UPDATE enrolled_reference SET sealed = zeroblob(2048) WHERE sub = 'R2'").run();
    assert.is(open().size, 1);
    // ... an opted-in one may not: the index is not built
    db.prepare("UPDATE enrolled_reference SET tag = zeroblob(16) WHERE sub = 'R1'").run();
    db.close();
    assert.is(code(() => open()), 'IDENTIFY_GALLERY_CORRUPT');
  } finally {
    f.cleanup();
  }
});

test.run();
