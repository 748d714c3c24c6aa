import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as assert from 'uvu/assert';
import { SystemClock } from '../../kiosk/clock.ts';
import { Journal } from '../../kiosk/journal/index.ts';
import { syncTopics, type StatusPayload } from '../../kiosk/sync/topics.ts';
import { peerSuite } from '../helpers/suite.ts';
import { Broker, sleep, Subscriber, waitFor } from './broker.ts';
import { crossingData, StoreHost, type WireEvent } from './host.ts';

const TOPICS = syncTopics('TST', 'SYNC-01');
const CHILD = new URL('./outbox-child.ts', import.meta.url).pathname;
const TOTAL = 1500;
const BATCH = 20;

function startChild(dir: string, url: string): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', CHILD, dir, url, String(BATCH)], { stdio: ['ignore', 'ignore', 'inherit'] });
}

async function exited(p: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return;
  const gone = new Promise((r) => p.once('exit', r));
  p.kill(signal);
  await gone;
}

/** The retained status as a fresh subscriber gets it. */
async function retainedStatus(sub: Subscriber): Promise<StatusPayload | undefined> {
  return sub.messages<StatusPayload>(TOPICS.status).at(-1);
}

interface Ctx {
  dir: string;
  broker: Broker;
  sub: Subscriber;
  children: ChildProcess[];
}

const t = peerSuite<Ctx>('sync: publishing process killed mid-batch', ['mosquitto', 'mosquitto_sub', 'mosquitto_pub']);

t.before(async (ctx) => {
  ctx.dir = mkdtempSync(join(tmpdir(), 'egate-sync-kill-'));
  ctx.broker = await Broker.start();
  ctx.sub = await Subscriber.start(ctx.broker.port, 'egate/v1/TST/SYNC-01/#');
  ctx.children = [];
});

t.after(async (ctx) => {
  for (const c of ctx.children) await exited(c, 'SIGKILL');
  await ctx.sub.close();
  await ctx.broker.close();
  rmSync(ctx.dir, { recursive: true, force: true });
});

t('SIGKILL mid-drain, another process resumes: every event arrives, duplicates only across the restart; will then orderly offline status', async (ctx) => {
  const host = new StoreHost(ctx.dir, new SystemClock(), {});
  for (let i = 1; i <= TOTAL; i++) host.append('crossing_finished', crossingData(i));
  host.close();
  const seen = (): WireEvent[] => ctx.sub.messages<WireEvent[]>(TOPICS.events).flat();

  const first = startChild(ctx.dir, ctx.broker.url);
  ctx.children.push(first);
  await waitFor('first process to publish part of the backlog', () => seen().length >= 300, 30_000);
  assert.is((await retainedStatus(ctx.sub))?.online, true, 'online status published on connect');
  await exited(first, 'SIGKILL');
  await waitFor('the broker to publish the last will', async () => (await retainedStatus(ctx.sub))?.online === false);
  assert.equal(await retainedStatus(ctx.sub), { online: false }, 'the will is exactly {"online":false}');
  await sleep(100);
  const beforeRestart = ctx.sub.messages<WireEvent[]>(TOPICS.events).length;
  const maxBefore = Math.max(...seen().map((e) => e.seq));
  const j = Journal.open({ path: join(ctx.dir, 'journal.sqlite'), gate: 'SYNC-01', clock: new SystemClock(), secretPath: join(ctx.dir, 'keys/gate-secret') });
  const markAtKill = j.deliveredSeq();
  j.close();
  assert.ok(markAtKill < TOTAL && markAtKill <= maxBefore, `killed mid-drain (mark ${markAtKill}, seen ${maxBefore})`);
  assert.ok(maxBefore - markAtKill <= BATCH, 'at most one batch was sent and not marked');

  const second = startChild(ctx.dir, ctx.broker.url);
  ctx.children.push(second);
  await waitFor('every event at the subscriber', () => new Set(seen().map((e) => e.seq)).size >= TOTAL, 60_000);
  await exited(second, 'SIGTERM');

  const batches = ctx.sub.messages<WireEvent[]>(TOPICS.events);
  const firstSeen = new Map<number, number>();
  let maxSeen = 0;
  batches.forEach((b, i) => {
    assert.ok(b.length <= BATCH);
    assert.ok(b[0]!.seq <= maxSeen + 1, 'no gap, no reordering');
    for (const e of b) {
      const before = firstSeen.get(e.seq);
      if (before !== undefined) {
        assert.ok(before < beforeRestart && i >= beforeRestart, `duplicate of seq ${e.seq} only across the restart`);
        assert.ok(e.seq > markAtKill, 'only events not yet marked delivered are sent again');
      } else firstSeen.set(e.seq, i);
    }
    maxSeen = Math.max(maxSeen, b.at(-1)!.seq);
  });
  assert.is(firstSeen.size, TOTAL);
  const last = await retainedStatus(ctx.sub);
  assert.is(last?.online, false);
  assert.is(last?.gate, 'SYNC-01', 'an orderly stop publishes a full offline status, not the will');
  assert.is(last?.unsent, 0);
  assert.is(last?.lastSeq, TOTAL);
  // what a consumer arriving later gets: the retained status alone
  const late = await Subscriber.start(ctx.broker.port, TOPICS.status);
  await waitFor('retained status for a late subscriber', () => late.messages<StatusPayload>(TOPICS.status).length > 0);
  assert.is(late.messages<StatusPayload>(TOPICS.status)[0]?.online, false);
  await late.close();
});

t.run();
