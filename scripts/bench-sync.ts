/**
 * bench-sync: how fast the outbox drains a backlog to a real broker. Fills a journal with
 * a backlog (not measured: one transaction per 10,000 appends), starts a local mosquitto
 * and mosquitto_sub as the consumer, starts the central link and times the drain from
 * connect to the last PUBACK, then checks at the consumer that every event arrived once
 * and in order. Prints a table, then a JSON summary as the last stdout line.
 *   node --import tsx scripts/bench-sync.ts [--events 100000] [--batch 100]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { SystemClock } from '../kiosk/clock.ts';
import { silentLogger } from '../kiosk/log.ts';
import { startSync } from '../kiosk/sync/attach.ts';
import { crossingData, StoreHost } from '../test/sync/host.ts';

const opts = new Command()
  .option('--events <n>', 'backlog size', '100000')
  .option('--batch <n>', 'events per MQTT message (config sync.batchSize)', '100')
  .parse()
  .opts<{ events: string; batch: string }>();
const EVENTS = Number(opts.events);
const BATCH = Number(opts.batch);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const a = srv.address();
      srv.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

const dir = mkdtempSync(join(tmpdir(), 'egate-bench-sync-'));
const port = await freePort();
writeFileSync(join(dir, 'mosquitto.conf'), `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\n`);
const broker = spawn('mosquitto', ['-c', join(dir, 'mosquitto.conf')], { stdio: 'ignore' });
const clock = new SystemClock();
const host = new StoreHost(dir, clock, { url: `mqtt://127.0.0.1:${port}`, batchSize: BATCH, pollMs: 1000 });
let sub: ReturnType<typeof spawn> | undefined;
try {
  await sleep(300);
  const out = join(dir, 'consumer.txt');
  sub = spawn('sh', ['-c', `exec mosquitto_sub -h 127.0.0.1 -p ${port} -V mqttv5 -q 1 -t 'egate/v1/+/+/events' > ${out}`], { stdio: 'ignore' });
  await sleep(500);

  const fillStart = performance.now();
  const j = host.journalStore;
  const fill = j.db.transaction((from: number, to: number) => {
    for (let i = from; i <= to; i++) j.append('crossing_finished', crossingData(i) as never);
  });
  for (let from = 1; from <= EVENTS; from += 10_000) fill(from, Math.min(EVENTS, from + 9_999));
  const fillMs = performance.now() - fillStart;
  const bytesBefore = j.diskUsage();

  const t0 = performance.now();
  const h = await startSync(host, { clock, log: silentLogger() });
  await h.flush();
  const drainMs = performance.now() - t0;
  const bytesAfter = j.diskUsage();
  const stats = h.sync.outbox.stats;

  // the consumer's view: every seq once, in order
  const expectBatches = stats.batches;
  const t1 = Date.now();
  let lines: string[] = [];
  while (Date.now() - t1 < 30_000) {
    lines = readFileSync(out, 'utf8').split('\n').filter(Boolean);
    if (lines.length >= expectBatches) break;
    await sleep(100);
  }
  let next = 1;
  for (const l of lines) for (const e of JSON.parse(l) as { seq: number }[]) if (e.seq === next) next++;
  const received = next - 1;
  await h.stop();

  const rate = Math.round(EVENTS / (drainMs / 1000));
  const rows: [string, string][] = [
    ['backlog events', String(EVENTS)],
    ['batch size', String(BATCH)],
    ['fill (not measured for the rate)', `${(fillMs / 1000).toFixed(1)} s`],
    ['drain time (connect → last PUBACK)', `${(drainMs / 1000).toFixed(2)} s`],
    ['drain rate', `${rate} events/s`],
    ['MQTT messages (batches)', String(stats.batches)],
    ['mean per batch', `${(drainMs / stats.batches).toFixed(2)} ms`],
    ['outbox on disk before drain', `${(bytesBefore / 1e6).toFixed(1)} MB (${Math.round(bytesBefore / EVENTS)} B/event)`],
    ['outbox on disk after drain', `${(bytesAfter / 1e6).toFixed(1)} MB`],
    ['consumer received in order', `${received} / ${EVENTS}`],
  ];
  for (const [k, v] of rows) console.log(`${k.padEnd(38)} ${v}`);
  console.log(
    JSON.stringify({
      events: EVENTS,
      batch: BATCH,
      drainMs: Math.round(drainMs),
      eventsPerS: rate,
      batches: stats.batches,
      diskBytesBefore: bytesBefore,
      diskBytesAfter: bytesAfter,
      bytesPerEvent: Math.round(bytesBefore / EVENTS),
      received,
      ok: received === EVENTS && rate >= 2000,
    }),
  );
  if (received !== EVENTS) process.exitCode = 1;
} finally {
  sub?.kill('SIGTERM');
  broker.kill('SIGTERM');
  host.close();
  rmSync(dir, { recursive: true, force: true });
}
