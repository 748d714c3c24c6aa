import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as assert from 'uvu/assert';
import { SimulatedClock, SystemClock } from '../../kiosk/clock.ts';
import { silentLogger } from '../../kiosk/log.ts';
import { startSync, type SyncHandle } from '../../kiosk/sync/attach.ts';
import { syncTopics } from '../../kiosk/sync/topics.ts';
import { peerSuite } from '../helpers/suite.ts';
import { Broker, sleep, Subscriber, waitFor } from './broker.ts';
import { ClockDriver, crossingData, StoreHost, type WireEvent } from './host.ts';

const EVENTS = syncTopics('TST', 'SYNC-01').events;

/**
 * What a consumer must be able to rely on: every message is 1..N consecutive events; no
 * message starts past the next seq not yet seen (no gap, no reordering); after
 * de-duplication by (gate, seq) the stream is exactly 1..last with an unbroken hash chain.
 */
function checkStream(batches: WireEvent[][], last: number, maxBatch: number): { duplicates: number } {
  let maxSeen = 0;
  let duplicates = 0;
  const bySeq = new Map<number, WireEvent>();
  for (const b of batches) {
    assert.ok(b.length >= 1 && b.length <= maxBatch, `batch of ${b.length}`);
    b.forEach((e, i) => i > 0 && assert.is(e.seq, b[i - 1]!.seq + 1, 'consecutive within a batch'));
    assert.ok(b[0]!.seq <= maxSeen + 1, `batch starting at ${b[0]!.seq} after only ${maxSeen} seen: gap or reorder`);
    for (const e of b) {
      if (bySeq.has(e.seq)) {
        duplicates++;
        assert.is(bySeq.get(e.seq)!.hash, e.hash, 'a duplicate is the same event');
      } else bySeq.set(e.seq, e);
    }
    maxSeen = Math.max(maxSeen, b.at(-1)!.seq);
  }
  assert.is(bySeq.size, last);
  for (let s = 2; s <= last; s++) assert.is(bySeq.get(s)!.prev, bySeq.get(s - 1)!.hash, `chain at ${s}`);
  return { duplicates };
}

interface Ctx {
  dir: string;
  broker: Broker;
  sub: Subscriber;
}

const t = peerSuite<Ctx>('sync: outbox over mosquitto', ['mosquitto', 'mosquitto_sub', 'mosquitto_pub']);

t.before.each(async (ctx) => {
  ctx.dir = mkdtempSync(join(tmpdir(), 'egate-sync-'));
  ctx.broker = await Broker.start();
  ctx.sub = await Subscriber.start(ctx.broker.port, EVENTS);
});

t.after.each(async (ctx) => {
  await ctx.sub.close();
  await ctx.broker.close();
  rmSync(ctx.dir, { recursive: true, force: true });
});

t('a stream of journal events arrives in seq order, in batches of at most batchSize; delivered only after PUBACK', async (ctx) => {
  const clock = new SystemClock();
  const host = new StoreHost(ctx.dir, clock, { url: ctx.broker.url, batchSize: 40, pollMs: 200, backoffMs: { min: 50, max: 400 } });
  for (let i = 1; i <= 30; i++) host.append('crossing_finished', crossingData(i)); // a backlog before the link starts
  let h: SyncHandle | undefined;
  try {
    h = await startSync(host, { clock, log: silentLogger() });
    for (let i = 31; i <= 250; i++) {
      host.append('crossing_finished', crossingData(i));
      if (i % 17 === 0) await sleep(5);
    }
    await h.flush(10_000);
    assert.is(host.journalStore.deliveredSeq(), 250);
    assert.equal(h.status(), { connected: true, inFlight: false, backlog: 0, lastPublishedSeq: 250 });
    await waitFor('250 events at the subscriber', () => ctx.sub.messages<WireEvent[]>(EVENTS).flat().length >= 250);
    const { duplicates } = checkStream(ctx.sub.messages<WireEvent[]>(EVENTS), 250, 40);
    assert.is(duplicates, 0, 'no duplicates without a failure');
  } finally {
    await h?.stop();
    host.close();
  }
});

t('broker killed and restarted during a stream of appends: every event arrives, none out of order', async (ctx) => {
  const clock = new SimulatedClock(Date.now());
  const drive = new ClockDriver(clock);
  drive.resume();
  const host = new StoreHost(ctx.dir, clock, { url: ctx.broker.url, batchSize: 25, pollMs: 100, backoffMs: { min: 100, max: 800 }, connectTimeoutMs: 2000 });
  let h: SyncHandle | undefined;
  try {
    h = await startSync(host, { clock, log: silentLogger() });
    let n = 0;
    const appendSome = async (k: number): Promise<void> => {
      for (let i = 0; i < k; i++) {
        host.append('crossing_finished', crossingData(++n));
        if (i % 10 === 0) await sleep(2);
      }
    };
    await appendSome(120);
    await ctx.broker.kill('SIGKILL'); // mid-stream: batches may be in flight
    await appendSome(150); // the gate keeps journalling while the broker is away
    await waitFor('the link to notice', () => !h!.status().connected);
    await sleep(300); // several failed reconnects with back-off
    assert.ok(host.journalStore.deliveredSeq() < n, 'nothing can be acknowledged while the broker is down');
    const unsentDuringOutage = host.journalStore.undeliveredCount();
    assert.ok(unsentDuringOutage >= 150);
    // Hold the gate's timers while the broker comes back, so the subscriber (not the gate) is first
    // and no message is published to a broker that has nobody subscribed yet.
    drive.pause();
    await ctx.broker.start();
    await ctx.sub.probe(ctx.broker.port);
    drive.resume();
    await appendSome(80);
    await h.flush(30_000);
    await waitFor('every event at the subscriber', () => new Set(ctx.sub.messages<WireEvent[]>(EVENTS).flat().map((e) => e.seq)).size >= n);
    const { duplicates } = checkStream(ctx.sub.messages<WireEvent[]>(EVENTS), n, 25);
    assert.ok(duplicates <= 25, `at most the one unacknowledged batch is repeated (${duplicates})`);
    assert.is(host.journalStore.deliveredSeq(), n);
    assert.ok(h.sync.link.connects >= 2, 'reconnected after the outage');
  } finally {
    await h?.stop();
    drive.pause();
    host.close();
  }
});

t.run();
