import { writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { JournalError } from '../../kiosk/journal/errors.ts';
import { verifyJournal } from '../../kiosk/journal/verify.ts';
import { crossingFinished, journalFixture } from './helpers.ts';

const DAY = 86_400_000;

test('readAfter pages in seq order; delivered mark persists across reopen and only moves forward', () => {
  const f = journalFixture();
  let j = f.open();
  try {
    for (let i = 1; i <= 25; i++) j.append('crossing_finished', crossingFinished(i));
    assert.equal(j.readAfter(0, 10).map((e) => e.seq), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    assert.equal(j.readAfter(20, 10).map((e) => e.seq), [21, 22, 23, 24, 25]);
    assert.equal(j.readAfter(25, 10), []);
    assert.is(j.undeliveredCount(), 25);
    j.markDelivered(10);
    j.markDelivered(4);
    assert.is(j.deliveredSeq(), 10);
    assert.throws(() => j.markDelivered(26), (e: unknown) => e instanceof JournalError && e.code === 'JOURNAL_BAD_ARGUMENT');
    assert.throws(() => j.readAfter(0, 0), (e: unknown) => e instanceof JournalError && e.code === 'JOURNAL_BAD_ARGUMENT');
    j.close();
    j = f.open();
    assert.is(j.deliveredSeq(), 10);
    assert.is(j.undeliveredCount(), 15);
    assert.is(j.lastSeq(), 25);
    assert.ok(j.diskUsage() > 0);
  } finally {
    j.close();
    f.cleanup();
  }
});

test('retention purge removes only delivered events past retention, keeps the chain verifiable via the anchor', () => {
  const f = journalFixture();
  const j = f.open();
  try {
    for (let i = 1; i <= 10; i++) {
      j.append('crossing_finished', crossingFinished(i));
      f.clock.advance(DAY);
    }
    // now = day 10; events 1..10 were written on days 0..9
    j.markDelivered(8);
    const r = j.purgeDelivered(5); // older than day 5: events 1..5; all delivered
    assert.is(r.purged, 5);
    assert.is(r.anchorSeq, 5);
    assert.is(j.get(5), undefined);
    assert.is(j.get(6)?.prev, r.anchorHash);
    assert.equal(verifyJournal(j.db), { ok: true, events: 5, anchorSeq: 5, lastGoodSeq: 10 });
    // undelivered events are never purged, however old
    f.clock.advance(100 * DAY);
    assert.is(j.purgeDelivered(5).purged, 3);
    assert.is(j.readAfter(0, 100)[0]?.seq, 9);
    // appends continue the chain from the anchor, even when the table was emptied
    j.markDelivered(10);
    j.purgeDelivered(0);
    assert.is(j.lastSeq(), 10);
    assert.is(j.undeliveredCount(), 0);
    const next = j.append('gate_started', { version: '1' });
    assert.is(next.seq, 11);
    assert.equal(verifyJournal(j.db), { ok: true, events: 1, anchorSeq: 10, lastGoodSeq: 11 });
  } finally {
    j.close();
    f.cleanup();
  }
});

test('purge stops at the first young event even when the clock stepped backwards', () => {
  const f = journalFixture();
  const j = f.open();
  try {
    j.append('gate_started', { version: '1' });
    j.append('gate_started', { version: '1' });
    f.clock.setWallClock(f.clock.now() + 30 * DAY);
    j.append('gate_started', { version: '1' }); // young
    f.clock.setWallClock(f.clock.now() - 30 * DAY);
    j.append('gate_started', { version: '1' }); // old again (clock stepped back)
    f.clock.setWallClock(f.clock.now() + 20 * DAY);
    j.markDelivered(4);
    assert.is(j.purgeDelivered(10).purged, 2);
    assert.ok(verifyJournal(j.db).ok);
  } finally {
    j.close();
    f.cleanup();
  }
});

test('SQL refuses updates and deletion of undelivered events even through a raw connection', () => {
  const f = journalFixture();
  const j = f.open();
  try {
    for (let i = 1; i <= 3; i++) j.append('gate_started', { version: String(i) });
    j.markDelivered(1);
    const raw = new Database(f.path);
    try {
      assert.throws(() => raw.prepare("UPDATE events SET data = '{}' WHERE seq = 1").run(), /append-only/);
      assert.throws(() => raw.prepare('DELETE FROM events WHERE seq = 2').run(), /only delivered/);
      assert.is(raw.prepare('DELETE FROM events WHERE seq = 1').run().changes, 1);
    } finally {
      raw.close();
    }
  } finally {
    j.close();
    f.cleanup();
  }
});

test('a journal belongs to one gate: opening it as another gate is refused', () => {
  const f = journalFixture();
  try {
    f.open('LMC-A-07').close();
    assert.throws(() => f.open('LMC-A-08'), (e: unknown) => e instanceof JournalError && e.code === 'JOURNAL_GATE_MISMATCH');
    assert.throws(() => f.open('bad gate!'), (e: unknown) => e instanceof JournalError && e.code === 'JOURNAL_BAD_ARGUMENT');
  } finally {
    f.cleanup();
  }
});

test('a file that is not a journal is refused with JOURNAL_IO, not a crash', () => {
  const f = journalFixture();
  try {
    writeFileSync(f.path, 'this is not an SQLite database, just bytes '.repeat(200));
    assert.throws(() => f.open(), (e: unknown) => e instanceof JournalError && e.code === 'JOURNAL_IO');
    assert.throws(() => verifyJournal(f.path), (e: unknown) => e instanceof JournalError && e.code === 'JOURNAL_IO');
  } finally {
    f.cleanup();
  }
});

test.run();
