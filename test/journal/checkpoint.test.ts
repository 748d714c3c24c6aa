import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import canonicalize from 'canonicalize';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CHECKPOINT_EVENT, loadOrCreateCheckpointKey, publicKeyPath, readCheckpointPublicKey, signCheckpoint, type CheckpointKey } from '../../kiosk/journal/checkpoint.ts';
import { GENESIS_PREV, eventHash } from '../../kiosk/journal/hash.ts';
import { Journal } from '../../kiosk/journal/journal.ts';
import { verifyJournal } from '../../kiosk/journal/verify.ts';
import { crossingFinished, journalFixture, type JournalFixture } from './helpers.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const EVERY = 10;

function rig(): { f: JournalFixture; key: CheckpointKey; keyPath: string; open(): Journal } {
  const f = journalFixture();
  const keyPath = join(f.dir, 'ckeys', 'checkpoint.key');
  const key = loadOrCreateCheckpointKey(keyPath);
  const open = (): Journal => Journal.open({ path: f.path, gate: 'LMC-A-07', clock: f.clock, secretPath: f.secretPath, checkpoint: { key, everyEvents: EVERY, everyMs: 60_000 } });
  return { f, key, keyPath, open };
}

/** 25 crossings one second apart: checkpoints after every 10 events (so at seq 11 and 22). */
function filled(): ReturnType<typeof rig> {
  const r = rig();
  const j = r.open();
  for (let i = 1; i <= 25; i++) {
    r.f.clock.advance(1000);
    j.append('crossing_finished', crossingFinished(i));
  }
  j.close();
  return r;
}

/** Raw access with the append-only triggers dropped: what an attacker with the file can do. */
function raw(path: string, fn: (db: Database.Database) => void): void {
  const db = new Database(path);
  db.exec('DROP TRIGGER IF EXISTS events_append_only; DROP TRIGGER IF EXISTS events_purge_delivered_only;');
  fn(db);
  db.close();
}

type Row = { seq: number; id: string; gate: string; ts: string; type: string; data: string; prev: string; hash: string };

/** Recomputes every hash from `fromSeq` on (and renumbers seq if asked): a rewritten chain that verifies unkeyed. */
function rechain(db: Database.Database): void {
  const rows = db.prepare('SELECT * FROM events ORDER BY seq').all() as Row[];
  const anchor = db.prepare("SELECT value FROM journal_meta WHERE key = 'anchor_hash'").get() as { value: string } | undefined;
  const anchorSeq = Number((db.prepare("SELECT value FROM journal_meta WHERE key = 'anchor_seq'").get() as { value: string } | undefined)?.value ?? 0);
  let prev = anchor?.value ?? GENESIS_PREV;
  db.prepare('DELETE FROM events').run();
  const ins = db.prepare('INSERT INTO events (seq, id, gate, ts, type, data, prev, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  rows.forEach((r, i) => {
    const seq = anchorSeq + i + 1;
    const hash = eventHash(prev, { id: r.id, seq, gate: r.gate, ts: r.ts, type: r.type as never, data: JSON.parse(r.data) });
    ins.run(seq, r.id, r.gate, r.ts, r.type, r.data, prev, hash);
    prev = hash;
  });
}

test('the gate signs a checkpoint every N events and at open, journalled in the chain (and so in the outbox batches)', () => {
  const r = filled();
  const j = r.open();
  const cps = j.readAfter(0, 1000).filter((e) => e.type === CHECKPOINT_EVENT);
  // 11 and 22 by count; 28 at this open, for the three events the last run left unsigned
  assert.equal(cps.map((e) => e.seq), [11, 22, 28]);
  assert.equal(cps.map((e) => e.data.seq), [10, 21, 27], 'each signs the head just before it');
  assert.is(cps[0]!.data.hash, j.get(10)!.hash);
  assert.is(cps[0]!.data.kid, r.key.kid);
  assert.ok(String(cps[0]!.data.signed).length < 1024);
  const v = verifyJournal(j.db, { checkpointKey: r.key.publicKey });
  assert.ok(v.ok, JSON.stringify(v));
  assert.equal(v.checkpoints, { verified: 3, lastSignedSeq: 27, unsigned: 0 });
  assert.throws(() => j.append(CHECKPOINT_EVENT, { seq: 1, hash: 'a'.repeat(64), kid: '0'.repeat(16), signed: 'x' }), /written by the journal itself/);
  j.close();
  r.f.cleanup();
});

test('a timer signs new events every T, and opening a journal signs what a killed run left unsigned', () => {
  const r = rig();
  let j = r.open();
  j.append('gate_started', { version: '1' });
  r.f.clock.advance(60_000);
  assert.is(j.get(2)?.type, CHECKPOINT_EVENT);
  r.f.clock.advance(60_000);
  assert.is(j.lastSeq(), 2, 'no new events: no new checkpoint');
  j.append('gate_started', { version: '2' });
  j.close(); // as if killed before the timer
  j = r.open();
  assert.is(j.get(4)?.type, CHECKPOINT_EVENT);
  assert.is(j.get(4)?.data.seq, 3);
  j.close();
  r.f.cleanup();
});

test('an event rewritten and the chain recomputed: passes the unkeyed check, verify with the key reports the rewrite', () => {
  const r = filled();
  raw(r.f.path, (db) => {
    const row = db.prepare('SELECT data FROM events WHERE seq = 5').get() as { data: string };
    const data = { ...JSON.parse(row.data), outcome: 'REJECTED_FACE' };
    db.prepare('DELETE FROM events WHERE seq = 5').run();
    db.prepare("INSERT INTO events (seq, id, gate, ts, type, data, prev, hash) VALUES (5, 'x', 'LMC-A-07', '2026-11-23T08:00:05.000Z', 'crossing_finished', ?, '', '')").run(canonicalize(data));
    rechain(db);
  });
  assert.ok(verifyJournal(r.f.path).ok, 'the unkeyed chain cannot tell');
  const v = verifyJournal(r.f.path, { checkpointKey: r.key.publicKey });
  assert.is(v.ok, false);
  assert.is(v.firstBad?.reason, 'checkpoint_mismatch');
  assert.is(v.firstBad?.seq, 11, 'the first checkpoint after the rewrite');
  r.f.cleanup();
});

test('the oldest events deleted and the anchor forged: reported as an unsigned anchor; a real purge verifies', () => {
  const r = filled();
  raw(r.f.path, (db) => {
    const h = db.prepare('SELECT hash FROM events WHERE seq = 15').get() as { hash: string };
    db.prepare('DELETE FROM events WHERE seq <= 15').run();
    db.prepare("INSERT OR REPLACE INTO journal_meta (key, value) VALUES ('anchor_seq', '15'), ('anchor_hash', ?)").run(h.hash);
  });
  assert.ok(verifyJournal(r.f.path).ok, 'the unkeyed chain cannot tell');
  const v = verifyJournal(r.f.path, { checkpointKey: r.key.publicKey });
  assert.is(v.firstBad?.reason, 'anchor_unsigned', JSON.stringify(v));

  const p = filled();
  const j = p.open();
  j.markDelivered(15);
  p.f.clock.advance(10 * 86_400_000);
  assert.is(j.purgeDelivered(1).anchorSeq, 15);
  j.close();
  const ok = verifyJournal(p.f.path, { checkpointKey: p.key.publicKey });
  assert.ok(ok.ok, JSON.stringify(ok));
  assert.is(ok.anchorSeq, 15);
  // and the signed anchor cannot be moved: forging a later one with the old signature fails
  raw(p.f.path, (db) => {
    const h = db.prepare('SELECT hash FROM events WHERE seq = 20').get() as { hash: string };
    db.prepare('DELETE FROM events WHERE seq <= 20').run();
    db.prepare("INSERT OR REPLACE INTO journal_meta (key, value) VALUES ('anchor_seq', '20'), ('anchor_hash', ?)").run(h.hash);
  });
  assert.is(verifyJournal(p.f.path, { checkpointKey: p.key.publicKey }).firstBad?.reason, 'anchor_unsigned');
  r.f.cleanup();
  p.f.cleanup();
});

test('checkpoints removed and the chain renumbered: too much unsigned history; a checkpoint by another key is invalid', () => {
  const r = filled();
  raw(r.f.path, (db) => {
    db.prepare('DELETE FROM events WHERE type = ?').run(CHECKPOINT_EVENT);
    rechain(db);
  });
  assert.ok(verifyJournal(r.f.path).ok);
  const v = verifyJournal(r.f.path, { checkpointKey: r.key.publicKey, maxUnsigned: 2 * EVERY });
  assert.is(v.firstBad?.reason, 'unsigned_history', JSON.stringify(v));

  const o = filled();
  const other = loadOrCreateCheckpointKey(join(o.f.dir, 'other', 'k'));
  raw(o.f.path, (db) => {
    const row = db.prepare('SELECT * FROM events WHERE seq = 11').get() as Row;
    const d = JSON.parse(row.data) as { seq: number; hash: string };
    const forged = signCheckpoint(other, { v: 1, kind: 'checkpoint', gate: 'LMC-A-07', seq: d.seq, hash: d.hash, ts: row.ts });
    db.prepare('UPDATE events SET data = ? WHERE seq = 11').run(canonicalize({ ...d, kid: other.kid, signed: Buffer.from(forged).toString('base64') }));
    rechain(db);
  });
  assert.is(verifyJournal(o.f.path, { checkpointKey: o.key.publicKey }).firstBad?.reason, 'checkpoint_invalid');
  r.f.cleanup();
  o.f.cleanup();
});

test('verify-journal --checkpoint-key reports the rewrite and exits 1; the key file is 0600 with its public half beside it', () => {
  const r = filled();
  raw(r.f.path, (db) => {
    db.prepare("UPDATE events SET ts = '2026-11-23T09:00:00.000Z' WHERE seq = 3").run();
    rechain(db);
  });
  const pub = publicKeyPath(r.keyPath);
  assert.ok(readCheckpointPublicKey(pub));
  const run = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts/verify-journal.ts'), r.f.path, '--checkpoint-key', pub], { encoding: 'utf8', cwd: ROOT });
  assert.is(run.status, 1, run.stderr);
  assert.match(run.stdout, /BAD .*checkpoint_mismatch/);
  const plain = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts/verify-journal.ts'), r.f.path], { encoding: 'utf8', cwd: ROOT });
  assert.is(plain.status, 0, 'without the key only the chain is checked');
  r.f.cleanup();
});

test.run();
