import { spawnSync } from 'node:child_process';
import Database from 'better-sqlite3';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import canonicalize from 'canonicalize';
import { eventHash } from '../../kiosk/journal/hash.ts';
import { verifyJournal } from '../../kiosk/journal/verify.ts';
import { crossingFinished, journalFixture, type JournalFixture } from './helpers.ts';

/** A closed journal of 10 events, then `tamper` run on a raw connection with the triggers dropped. */
function tampered(tamper: (db: Database.Database) => void): { f: JournalFixture; result: ReturnType<typeof verifyJournal> } {
  const f = journalFixture();
  const j = f.open();
  for (let i = 1; i <= 10; i++) {
    f.clock.advance(1000);
    j.append('crossing_finished', crossingFinished(i));
  }
  j.close();
  const db = new Database(f.path);
  db.exec('DROP TRIGGER events_append_only; DROP TRIGGER events_purge_delivered_only;');
  tamper(db);
  db.close();
  return { f, result: verifyJournal(f.path) };
}

function expectBad(tamper: (db: Database.Database) => void, seq: number, reason: string): void {
  const { f, result } = tampered(tamper);
  try {
    assert.is(result.ok, false);
    assert.is(result.firstBad?.seq, seq, JSON.stringify(result));
    assert.is(result.firstBad?.reason, reason);
    assert.is(result.lastGoodSeq, seq - 1);
  } finally {
    f.cleanup();
  }
}

test('untouched journal verifies', () => {
  const { f, result } = tampered(() => {});
  f.cleanup();
  assert.equal(result, { ok: true, events: 10, anchorSeq: 0, lastGoodSeq: 10 });
});

test('changed data is caught at that event', () => {
  expectBad((db) => db.prepare("UPDATE events SET data = replace(data, '\"CLEARED\"', '\"REJECTED_FACE\"') WHERE seq = 4").run(), 4, 'hash_mismatch');
});

test('changed timestamp is caught at that event', () => {
  expectBad((db) => db.prepare("UPDATE events SET ts = '2020-01-01T00:00:00.000Z' WHERE seq = 7").run(), 7, 'hash_mismatch');
});

test('a deleted event is reported as the missing seq', () => {
  expectBad((db) => db.prepare('DELETE FROM events WHERE seq = 6').run(), 6, 'seq_gap');
});

test('the first event deleted is reported as seq 1 missing', () => {
  expectBad((db) => db.prepare('DELETE FROM events WHERE seq = 1').run(), 1, 'seq_gap');
});

test('two events swapped (reordered) are caught at the first of them', () => {
  expectBad(
    (db) => {
      db.prepare('UPDATE events SET seq = 1000 WHERE seq = 5').run();
      db.prepare('UPDATE events SET seq = 5 WHERE seq = 3').run();
      db.prepare('UPDATE events SET seq = 3 WHERE seq = 1000').run();
    },
    3,
    'prev_mismatch',
  );
});

test('altered prev is caught at that event', () => {
  expectBad((db) => db.prepare("UPDATE events SET prev = ? WHERE seq = 8").run('f'.repeat(64)), 8, 'prev_mismatch');
});

test('a forged event with a recomputed hash breaks the link to the next event', () => {
  expectBad(
    (db) => {
      const row = db.prepare('SELECT * FROM events WHERE seq = 5').get() as Record<string, string | number>;
      const data = JSON.parse(String(row.data)) as Record<string, unknown>;
      data.outcome = 'REJECTED_PAD';
      const forged = { id: String(row.id), seq: 5, gate: String(row.gate), ts: String(row.ts), type: 'crossing_finished' as const, data: data as never };
      db.prepare('UPDATE events SET data = ?, hash = ? WHERE seq = 5').run(canonicalize(data), eventHash(String(row.prev), forged));
    },
    6,
    'prev_mismatch',
  );
});

test('an event from another gate spliced in is caught', () => {
  expectBad((db) => db.prepare("UPDATE events SET gate = 'LMC-A-08' WHERE seq = 2").run(), 2, 'gate_mismatch');
});

test('verify-journal script: exit 0 and OK on a good chain, exit 1 and the first bad seq on a bad one', () => {
  const good = tampered(() => {});
  const bad = tampered((db) => db.prepare("UPDATE events SET data = '{}' WHERE seq = 9").run());
  try {
    const run = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'scripts/verify-journal.ts', ...args], { encoding: 'utf8' });
    const ok = run([good.f.path]);
    assert.is(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /^OK .*10 events/);
    const text = run([bad.f.path]);
    assert.is(text.status, 1, text.stderr);
    assert.match(text.stdout, /first bad event seq 9 \(hash_mismatch/);
    const json = run([bad.f.path, '--json']);
    assert.is(json.status, 1);
    const parsed = JSON.parse(json.stdout) as { ok: boolean; firstBad: { seq: number; reason: string } };
    assert.is(parsed.ok, false);
    assert.equal([parsed.firstBad.seq, parsed.firstBad.reason], [9, 'hash_mismatch']);
    const missing = run([`${good.f.dir}/absent.sqlite`]);
    assert.is(missing.status, 2);
    assert.match(missing.stderr, /JOURNAL_IO/);
  } finally {
    good.f.cleanup();
    bad.f.cleanup();
  }
});

test.run();
