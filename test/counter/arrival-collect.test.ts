import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { collectArrivals, openArrival, type SealedArrival } from '../../kiosk/counter/arrival-collect.ts';
import { ArrivalRecordStore } from '../../kiosk/counter/arrival-record.ts';
import { errorCode } from '../../kiosk/errors.ts';

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return errorCode(err);
  }
  return 'NO_ERROR';
}

const PORTRAIT = new Uint8Array(Buffer.from('ffd8ffe0-portrait-bytes-ffd9'));
const FACTS = { decision: 'accept' as const, officer: 'OFF-12', match_score: 0.61, liveness_score: 0.9, quality: 70 };
const t = suite<{ dir: string; store: ArrivalRecordStore }>('arrival records leave the counter sealed to the central arrival key');
t.before.each((ctx) => {
  ctx.dir = mkdtempSync(join(tmpdir(), 'egate-arrival-collect-'));
  ctx.store = new ArrivalRecordStore({ path: join(ctx.dir, 'a.db'), keyPath: join(ctx.dir, 'a.key'), lifeMs: 60_000 });
});
t.after.each((ctx) => {
  ctx.store.close();
  rmSync(ctx.dir, { recursive: true, force: true });
});

t('central opens what it collects; the ciphertext holds no portrait; records deleted only after central has them', async (ctx) => {
  const central = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const other = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  ctx.store.put('ARR-1', PORTRAIT, FACTS, 1000);
  ctx.store.put('ARR-2', PORTRAIT, { ...FACTS, decision: 'refer' }, 1000);
  let sent: SealedArrival[] = [];
  assert.is(await collectArrivals(ctx.store, { nowMs: 2000, counter: 'CTR-01', centralKey: central.publicKey, send: async (b) => ((sent = b), false) }), 0);
  assert.is(ctx.store.live(2000).length, 2, 'a failed send keeps the records');
  assert.is(await collectArrivals(ctx.store, { nowMs: 2000, counter: 'CTR-01', centralKey: central.publicKey, send: async (b) => ((sent = b), true) }), 2);
  assert.is(ctx.store.live(2000).length, 0);
  assert.not.ok(Buffer.from(sent[0]!.sealed).includes(Buffer.from(PORTRAIT)));
  assert.not.ok(Buffer.from(sent[0]!.sealed).includes(Buffer.from(Buffer.from(PORTRAIT).toString('base64'))));
  const opened = openArrival(sent[0]!, central.privateKey);
  assert.equal(Array.from(opened.portrait), Array.from(PORTRAIT));
  assert.is(opened.counter, 'CTR-01');
  assert.equal(opened.facts, FACTS);
  assert.is(codeOf(() => openArrival(sent[0]!, other.privateKey)), 'ARRIVAL_TAMPERED');
  assert.is(codeOf(() => openArrival({ arrival: 'ARR-2', sealed: sent[0]!.sealed }, central.privateKey)), 'ARRIVAL_TAMPERED', 'an envelope relabelled to another arrival is refused');
  assert.not.ok(readFileSync(join(ctx.dir, 'a.db')).includes(Buffer.from(PORTRAIT)));
});

t('expired records are not sent', async (ctx) => {
  const central = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  ctx.store.put('ARR-OLD', PORTRAIT, FACTS, 0);
  let calls = 0;
  assert.is(await collectArrivals(ctx.store, { nowMs: 60_001, counter: 'CTR-01', centralKey: central.publicKey, send: async () => (calls++, true) }), 0);
  assert.is(calls, 0);
});

t.run();
