import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SystemClock } from '../../kiosk/clock.ts';
import { silentLogger } from '../../kiosk/log.ts';
import { startSync, type SyncHandle } from '../../kiosk/sync/attach.ts';
import { Backoff } from '../../kiosk/sync/backoff.ts';
import { syncTopics, type StatusPayload } from '../../kiosk/sync/topics.ts';
import { peerSuite } from '../helpers/suite.ts';
import { Broker, freePort, sleep, Subscriber, waitFor } from './broker.ts';
import { crossingData, StoreHost, type WireEvent } from './host.ts';

const TOPICS = syncTopics('TST', 'SYNC-01');

test('back-off doubles from min to max, each wait jittered within [d/2, d], and resets', () => {
  for (const r of [0, 0.5, 0.999]) {
    const b = new Backoff({ min: 100, max: 1000, random: () => r });
    const waits = Array.from({ length: 7 }, () => b.next());
    const caps = [100, 200, 400, 800, 1000, 1000, 1000];
    waits.forEach((w, i) => assert.ok(w >= caps[i]! / 2 && w <= caps[i]!, `wait ${i}: ${w}`));
    b.reset();
    assert.ok(b.next() <= 100);
  }
});

test.run();

interface Ctx {
  dir: string;
  broker: Broker;
  sub: Subscriber;
}

const t = peerSuite<Ctx>('sync: status, outbox alarm, refused batches', ['mosquitto', 'mosquitto_sub', 'mosquitto_pub']);

t.before.each(async (ctx) => {
  ctx.dir = mkdtempSync(join(tmpdir(), 'egate-sync-status-'));
});

t.after.each(async (ctx) => {
  await ctx.sub?.close();
  await ctx.broker?.close();
  rmSync(ctx.dir, { recursive: true, force: true });
});

t('retained status on connect, on a mode or device change, and periodically', async (ctx) => {
  ctx.broker = await Broker.start();
  ctx.sub = await Subscriber.start(ctx.broker.port, TOPICS.status);
  const clock = new SystemClock();
  const host = new StoreHost(ctx.dir, clock, { url: ctx.broker.url, statusIntervalMs: 400 });
  let h: SyncHandle | undefined;
  const statuses = (): StatusPayload[] => ctx.sub.messages<StatusPayload>(TOPICS.status);
  try {
    h = await startSync(host, { clock, log: silentLogger() });
    await waitFor('online status', () => statuses().length >= 1);
    const first = statuses()[0]!;
    assert.is(first.online, true);
    assert.is(first.mode, 'in_service');
    assert.is(first.gate, 'SYNC-01');
    assert.is(first.profile, 'pedestrian', 'the gate kind travels in the status');
    assert.is(first.version, '0.1.0-test');
    assert.equal(first.devices, { controller: { healthy: true } });
    host.setMode('maintenance', 'test');
    await waitFor('mode change published', () => statuses().some((s) => s.mode === 'maintenance'));
    host.devices = { controller: { healthy: false, code: 'NOT_ANSWERING' } };
    host.append('device_fault', { device: 'controller', code: 'NOT_ANSWERING' });
    await waitFor('device fault published', () => statuses().some((s) => s.devices?.controller?.healthy === false));
    const n = statuses().length;
    for (let i = 1; i <= 5; i++) host.append('crossing_finished', crossingData(i));
    await sleep(150);
    assert.ok(statuses().length <= n + 1, 'seq counts alone do not publish a status per event');
    await waitFor('periodic status with the new counts', () => statuses().some((s) => s.lastSeq === host.journalStore.lastSeq() && s.unsent === 0), 5000);
  } finally {
    await h?.stop();
    host.close();
  }
});

t('outbox alarm: OUTBOX_FULL raised once past outboxAlarmBytes while the broker is away, cleared when the outbox shrinks', async (ctx) => {
  const port = await freePort();
  const clock = new SystemClock();
  const host = new StoreHost(ctx.dir, clock, { url: `mqtt://127.0.0.1:${port}`, outboxAlarmBytes: 200_000, pollMs: 50, backoffMs: { min: 50, max: 200 } });
  let h: SyncHandle | undefined;
  const alarms = (): string[] => host.journalStore.readAfter(0, 100_000).filter((e) => e.type.startsWith('alarm_')).map((e) => `${e.type}:${String((e.data as { alarm: string }).alarm)}`);
  try {
    h = await startSync(host, { clock, log: silentLogger() });
    for (let i = 1; i <= 600; i++) {
      host.append('crossing_finished', crossingData(i));
      if (i % 100 === 0) await sleep(60);
    }
    await waitFor('alarm raised', () => alarms().length === 1);
    assert.equal(alarms(), ['alarm_raised:OUTBOX_FULL']);
    assert.ok(h.sync.outbox.stats.alarm);
    ctx.broker = await Broker.startOn(port);
    ctx.sub = await Subscriber.start(port, TOPICS.status);
    await h.flush(10_000);
    await waitFor('status shows the alarm', () => ctx.sub.messages<StatusPayload>(TOPICS.status).some((s) => s.outboxAlarm === true));
    // the retention purge frees what was delivered; the file shrinks once compacted
    const j = host.journalStore;
    j.purgeDelivered(0);
    j.db.pragma('wal_checkpoint(TRUNCATE)');
    j.db.exec('VACUUM');
    j.db.pragma('wal_checkpoint(TRUNCATE)');
    // (the purge took the delivered alarm_raised event with it)
    await waitFor('alarm cleared', () => alarms().length === 1);
    assert.equal(alarms(), ['alarm_cleared:OUTBOX_FULL']);
    assert.not.ok(h.sync.outbox.stats.alarm);
  } finally {
    await h?.stop();
    host.close();
  }
});

t('a batch the broker refuses (message size limit) is not marked delivered; smaller batches then get through in order', async (ctx) => {
  ctx.broker = await Broker.start(['message_size_limit 6000']);
  ctx.sub = await Subscriber.start(ctx.broker.port, TOPICS.events);
  const clock = new SystemClock();
  const host = new StoreHost(ctx.dir, clock, { url: ctx.broker.url, batchSize: 40, backoffMs: { min: 20, max: 100 } });
  for (let i = 1; i <= 60; i++) host.append('crossing_finished', crossingData(i));
  let h: SyncHandle | undefined;
  try {
    h = await startSync(host, { clock, log: silentLogger() });
    await h.flush(10_000);
    assert.ok(h.sync.outbox.stats.failures >= 1, 'the broker refused the large batches');
    assert.ok(h.sync.outbox.batchLimit < 40);
    await waitFor('60 events', () => ctx.sub.messages<WireEvent[]>(TOPICS.events).flat().length >= 60);
    assert.equal(ctx.sub.messages<WireEvent[]>(TOPICS.events).flat().map((e) => e.seq), Array.from({ length: 60 }, (_, i) => i + 1));
  } finally {
    await h?.stop();
    host.close();
  }
});

t.run();
