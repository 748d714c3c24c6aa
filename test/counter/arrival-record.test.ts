import Database from 'better-sqlite3';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { errorCode } from '../../kiosk/errors.ts';
import { ArrivalRecordStore } from '../../kiosk/counter/arrival-record.ts';

const t = suite<{ dir: string; store: ArrivalRecordStore }>('counter arrival records (encrypted, time-limited)');
const LIFE = 3_600_000;
const T0 = Date.UTC(2026, 11, 2, 8, 0, 0);
const facts = { decision: 'accept' as const, officer: 'OFF-12', match_score: 0.61, liveness_score: 0.97, quality: 82 };
// a recognisable byte pattern standing in for the JPEG: it must never appear in the files
const portrait = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from('PORTRAIT-MARKER-'.repeat(200))]);

t.before.each((ctx) => {
  ctx.dir = mkdtempSync(join(tmpdir(), 'egate-arrival-'));
  ctx.store = new ArrivalRecordStore({ path: join(ctx.dir, 'arrivals.sqlite'), keyPath: join(ctx.dir, 'keys', 'arrival.key'), lifeMs: LIFE });
});
t.after.each((ctx) => {
  ctx.store.close();
  rmSync(ctx.dir, { recursive: true, force: true });
});

t('a record round-trips; the portrait is not readable in any file on disk', (ctx) => {
  ctx.store.put('ARR-1', portrait, facts, T0);
  const r = ctx.store.get('ARR-1', T0 + 1);
  assert.ok(Buffer.from(r.portrait).equals(portrait));
  assert.equal(r.facts, facts);
  assert.is(r.expiresMs, T0 + LIFE);
  for (const f of readdirSync(ctx.dir)) {
    if (f.startsWith('arrivals')) assert.not.ok(readFileSync(join(ctx.dir, f)).includes('PORTRAIT-MARKER'), f);
  }
});

t('expired records are gone: get refuses them, purge deletes them', (ctx) => {
  ctx.store.put('ARR-2', portrait, facts, T0);
  ctx.store.put('ARR-3', portrait, facts, T0 + 10_000);
  assert.is(errorCode(catchErr(() => ctx.store.get('ARR-2', T0 + LIFE))), 'ARRIVAL_UNKNOWN');
  assert.is(ctx.store.purgeExpired(T0 + LIFE), 1);
  assert.ok(ctx.store.get('ARR-3', T0 + LIFE));
});

t('collection hands every live record to central and deletes it only when acknowledged', (ctx) => {
  ctx.store.put('ARR-4', portrait, facts, T0);
  ctx.store.put('ARR-5', portrait, { ...facts, decision: 'refer' }, T0);
  assert.is(ctx.store.collect(T0 + 1, () => false), 0);
  let got: string[] = [];
  assert.is(ctx.store.collect(T0 + 1, (rs) => ((got = rs.map((r) => r.arrival)), true)), 2);
  assert.equal(got.sort(), ['ARR-4', 'ARR-5']);
  assert.is(errorCode(catchErr(() => ctx.store.get('ARR-4', T0 + 1))), 'ARRIVAL_UNKNOWN');
});

t('a row whose expiry or id was changed, or whose bytes were flipped, does not authenticate', (ctx) => {
  ctx.store.put('ARR-6', portrait, facts, T0);
  ctx.store.put('ARR-7', portrait, facts, T0);
  const db = new Database(join(ctx.dir, 'arrivals.sqlite'));
  db.prepare('UPDATE arrivals SET expires_ms = expires_ms + 86400000 WHERE arrival = ?').run('ARR-6');
  db.prepare("UPDATE arrivals SET sealed = (SELECT sealed FROM arrivals WHERE arrival = 'ARR-6') WHERE arrival = ?").run('ARR-7');
  db.close();
  assert.is(errorCode(catchErr(() => ctx.store.get('ARR-6', T0 + 1))), 'ARRIVAL_TAMPERED');
  assert.is(errorCode(catchErr(() => ctx.store.get('ARR-7', T0 + 1))), 'ARRIVAL_TAMPERED');
  assert.is(errorCode(catchErr(() => ctx.store.put('bad id!', portrait, facts, T0))), 'ARRIVAL_BAD_ID');
});

function catchErr(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected an error');
}

t.run();
