/**
 * bench-central: the central system under a simulated fleet speaking the gates' real MQTT
 * protocol (central/sim: the gate's own journal and kiosk/sync link per gate, in child
 * processes). Starts mosquitto and a PostgreSQL cluster (fsync on), one central instance
 * (child process), then:
 *   1. busy hour: every gate crossing at --rate per hour; end-to-end delay gate journal →
 *      PostgreSQL → console, read from the console's own SSE stream (oldest new event per push);
 *   2. a control point back after --offline-hours offline with one ingest instance: catch-up
 *      events/s;
 *   3. a second instance joins the shared subscription; a second control point comes back.
 * Plus chain-verification cost (checkBatch, in process) and PostgreSQL bytes per million events.
 * Prints a table, then a JSON summary as the last stdout line. Quote it with the load shown.
 *   node --import tsx scripts/bench-central.ts [--gates 1000] [--per-site 67] [--rate 600] [--busy-s 60] [--procs 2]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Command } from 'commander';
import mqtt from 'mqtt';
import pg from 'pg';
import { setUser } from '../central/console/users.ts';
import { checkBatch } from '../central/ingest/chain.ts';
import { siteOf } from '../central/sim/fleet.ts';
import { eventHash, type JournalEvent } from '../kiosk/journal/index.ts';
import { PgCluster } from '../test/helpers/postgres.ts';
import { Broker } from '../test/sync/broker.ts';

const o = new Command('bench-central')
  .option('--gates <n>', 'gates in the simulated fleet', '1000')
  .option('--per-site <n>', 'gates per control point', '67')
  .option('--rate <n>', 'crossings per gate per hour', '600')
  .option('--busy-s <n>', 'seconds of busy-hour traffic measured', '60')
  .option('--offline-hours <h>', 'hours each returning control point was offline', '0.1')
  .option('--procs <n>', 'fleet simulator processes', '2')
  .option('--cap-gates <n>', 'synthetic gates in the ingest capacity phase', '40')
  .option('--cap-events <n>', 'events per synthetic gate in the capacity phase', '1000')
  .parse()
  .opts<{ gates: string; perSite: string; rate: string; busyS: string; offlineHours: string; procs: string; capGates: string; capEvents: string }>();
const CAP_GATES = Number(o.capGates);
const CAP_PER_GATE = Number(o.capEvents);
const GATES = Number(o.gates);
const PER_SITE = Number(o.perSite);
const ROOT = new URL('../', import.meta.url).pathname;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const loads: number[][] = [];
const sampleLoad = (): void => void loads.push(loadavg().map((x) => Math.round(x * 10) / 10));
const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! : NaN;
};

function chainCost(n: number): { usPerEvent: number } {
  const events: JournalEvent[] = [];
  let prev = '0'.repeat(64);
  for (let seq = 1; seq <= n; seq++) {
    const e = { id: `01BENCH${seq}`, seq, gate: 'BENCH-1', ts: new Date().toISOString(), type: 'crossing_finished', data: { crossing: `X${seq}`, outcome: 'CLEARED', reason: null, token_type: 'qr', subject: 'a'.repeat(32), match_score: 0.6, liveness_score: 0.97, attempts: 1, durations: { token_ms: 180, entry_ms: 2100, face_ms: 900, exit_ms: 1900, total_ms: 5080 } } } as unknown as JournalEvent;
    e.prev = prev;
    e.hash = eventHash(prev, e);
    prev = e.hash;
    events.push(e);
  }
  const wire = JSON.parse(JSON.stringify(events)) as JournalEvent[];
  const t0 = performance.now();
  let head: { seq: number; hash: string } | undefined;
  for (let i = 0; i < wire.length; i += 100) head = checkBatch('BENCH-1', wire.slice(i, i + 100), head, { get: () => undefined }).head;
  if (head?.seq !== n) throw new Error('chain bench did not verify');
  return { usPerEvent: ((performance.now() - t0) * 1000) / n };
}

/** Wire batches (100 events) of `gates` synthetic gates, hashed like the journal hashes: the ingest's raw input. */
function wireBatches(site: string, gates: number, perGate: number): [string, string][] {
  const out: [string, string][] = [];
  for (let g = 0; g < gates; g++) {
    const gate = `${site}-G-${String(g).padStart(3, '0')}`;
    let prev = '0'.repeat(64);
    let batch: JournalEvent[] = [];
    for (let seq = 1; seq <= perGate; seq++) {
      const e = { id: `01${site}${g}X${seq}`.slice(0, 26), seq, gate, ts: new Date().toISOString(), type: 'crossing_finished', data: { crossing: `${gate}-${seq}`, outcome: 'CLEARED', reason: null, token_type: 'qr', subject: 'b'.repeat(32), match_score: 0.6, liveness_score: 0.97, attempts: 1, durations: { token_ms: 180, entry_ms: 2100, face_ms: 900, exit_ms: 1900, total_ms: 5080 } } } as unknown as JournalEvent;
      e.prev = prev;
      e.hash = eventHash(prev, e);
      prev = e.hash;
      batch.push(e);
      if (batch.length === 100 || seq === perGate) {
        out.push([`egate/v1/${site}/${gate}/events`, JSON.stringify(batch)]);
        batch = [];
      }
    }
  }
  return out;
}

/** CPU seconds (user + system) a process has used, from /proc. */
function cpuOf(pid: number | undefined): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return 0;
  }
}
/** A process and its direct children (PostgreSQL's postmaster and its backends). */
function cpuTree(root: number | undefined): number {
  if (!root) return 0;
  let sum = cpuOf(root);
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (Number(readFileSync(`/proc/${d}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]) === root) sum += cpuOf(Number(d));
    } catch {
      // gone meanwhile
    }
  }
  return sum;
}

const dir = mkdtempSync(join(tmpdir(), 'egate-bench-central-'));
const fleetDir = mkdtempSync('/dev/shm/egate-fleet-');
const procs: ChildProcess[] = [];
let broker: Broker | undefined;
let cluster: PgCluster | undefined;
try {
  sampleLoad();
  const cost = chainCost(100_000);
  broker = await Broker.start(['max_queued_messages 0', 'max_inflight_messages 0', 'max_queued_bytes 0']);
  cluster = await PgCluster.start({ fsync: true, sharedBuffers: '256MB' });
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  mkdirSync(join(dir, 'keys'), { mode: 0o700 });
  writeFileSync(join(dir, 'keys/central.key.pem'), privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  writeFileSync(join(dir, 'keys/central.pub.pem'), publicKey.export({ type: 'spki', format: 'pem' }));
  await setUser(join(dir, 'users.json'), 'bench', 'officer', 'bench-password-1', { N: 2 ** 10, r: 8, p: 1 });
  const consolePort = 18480 + Math.floor(Math.random() * 1000);
  const config = (instance: string, port: number): string => {
    const p = join(dir, `${instance}.json`);
    writeFileSync(p, JSON.stringify({ instance, mqtt: { url: broker!.url, maxBatchMessages: 500 }, db: { url: cluster!.url, poolSize: 6 }, console: { port, usersPath: join(dir, 'users.json') }, commands: { keyPath: join(dir, 'keys/central.key.pem') } }));
    return p;
  };
  const centrals = new Set<ChildProcess>();
  const pgPid = Number(readFileSync(join(cluster.data, 'postmaster.pid'), 'utf8').split('\n')[0]);
  const brokerPid = readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number).find((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(broker!.dir);
    } catch {
      return false;
    }
  });
  const startInstance = async (name: string, port: number): Promise<void> => {
    const p = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'central/main.ts'), '--config', config(name, port)], { stdio: ['ignore', 'pipe', 'inherit'], cwd: ROOT });
    procs.push(p);
    centrals.add(p);
    await new Promise<void>((res, rej) => {
      const rl = createInterface({ input: p.stdout! });
      rl.on('line', (l) => l.includes('central service running') && res());
      p.once('exit', (c) => rej(new Error(`central ${name} exited ${c}`)));
    });
  };
  await startInstance('c1', consolePort);
  const db = new pg.Client({ connectionString: cluster.url });
  await db.connect();
  const count = async (like?: string): Promise<number> => Number((await db.query(like ? 'SELECT sum(events)::bigint AS n FROM gate_chain WHERE site = $1' : 'SELECT sum(events)::bigint AS n FROM gate_chain', like ? [like] : [])).rows[0]?.n ?? 0);

  // the console's SSE stream, as an officer's browser would follow it
  const login = await fetch(`http://127.0.0.1:${consolePort}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'bench', password: 'bench-password-1' }) });
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
  const delays: { at: number; ms: number }[] = [];
  request({ host: '127.0.0.1', port: consolePort, path: '/api/stream', headers: { cookie } }, (res) => {
    let buf = '';
    res.on('data', (d: Buffer) => {
      buf += d.toString();
      let i;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        if (!block.startsWith('event: progress')) continue;
        const now = Date.now();
        for (const [, , oldest] of JSON.parse(block.slice(block.indexOf('data: ') + 6)) as [string, number, number, number][]) delays.push({ at: now, ms: now - oldest });
      }
    });
  }).end();

  // ingest capacity: pre-hashed batches published as fast as the broker takes them, stored by
  // one instance, then by two (the simulator's own CPU is not in this figure)
  type Cpu = { central: number; postgres: number; broker: number };
  const cpuNow = (): Cpu => ({ central: procs.filter((p) => centrals.has(p)).reduce((n, p) => n + cpuOf(p.pid), 0), postgres: cpuTree(pgPid), broker: cpuOf(brokerPid) });
  const capacity = async (site: string): Promise<{ events: number; seconds: number; perSecond: number; complete: boolean; cpuUsPerEvent: Cpu; boundPerSecond: number }> => {
    const msgs = wireBatches(site, CAP_GATES, CAP_PER_GATE);
    const total = CAP_GATES * CAP_PER_GATE;
    const client = await mqtt.connectAsync(broker!.url, { protocolVersion: 5, clientId: `bench-${site}` });
    const c0 = cpuNow();
    const t0 = Date.now();
    await Promise.all(msgs.map(([t, p]) => client.publishAsync(t, p, { qos: 1 })));
    let done = 0;
    while ((done = await count(site)) < total && Date.now() - t0 < 300_000) await sleep(100);
    const sec = (Date.now() - t0) / 1000;
    const c1 = cpuNow();
    await client.endAsync();
    // CPU time per stored event of each part: what bounds ingest on this machine's cores
    // whatever else is running on them (the wall-clock rate depends on the shared load)
    const us = (k: keyof Cpu): number => Math.round(((c1[k] - c0[k]) * 1e6) / Math.max(1, done));
    const cpu: Cpu = { central: us('central'), postgres: us('postgres'), broker: us('broker') };
    const boundPerSecond = Math.round((cpus().length * 1e6) / Math.max(1, cpu.central + cpu.postgres + cpu.broker));
    note(`capacity ${site}: ${done}/${total} in ${sec.toFixed(1)} s; CPU µs/event ${JSON.stringify(cpu)}`);
    sampleLoad();
    return { events: done, seconds: Math.round(sec * 10) / 10, perSecond: Math.round(done / sec), complete: done >= total, cpuUsPerEvent: cpu, boundPerSecond };
  };
  const note = (m: string): void => void process.stderr.write(`bench-central: ${m} (load ${loadavg()[0]!.toFixed(1)})\n`);
  const cap1 = await capacity('CAPA');
  await startInstance('c2', consolePort + 1);
  await sleep(1000);
  const cap2 = await capacity('CAPB');

  // the fleet: offline control points are the first two
  const offline = [siteOf(0, PER_SITE), siteOf(PER_SITE, PER_SITE)];
  const nProcs = Number(o.procs);
  const fleets: { p: ChildProcess; lines: Record<string, unknown>[] }[] = [];
  for (let k = 0; k < nProcs; k++) {
    const from = Math.floor((k * GATES) / nProcs);
    const to = Math.floor(((k + 1) * GATES) / nProcs);
    const args = ['--url', broker.url, '--dir', fleetDir, '--gates', String(to - from), '--first', String(from), '--per-site', String(PER_SITE), '--rate', o.rate, '--offline-site', offline.join(','), '--offline-hours', o.offlineHours, '--central-key', join(dir, 'keys/central.pub.pem')];
    const p = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'central/sim/fleet-main.ts'), ...args], { stdio: ['pipe', 'pipe', 'inherit'], cwd: ROOT });
    const f = { p, lines: [] as Record<string, unknown>[] };
    createInterface({ input: p.stdout! }).on('line', (l) => f.lines.push(JSON.parse(l) as Record<string, unknown>));
    procs.push(p);
    fleets.push(f);
  }
  const waitStage = async (stage: string, n = fleets.length): Promise<Record<string, unknown>[]> => {
    for (;;) {
      const got = fleets.map((f) => f.lines.find((l) => l.stage === stage)).filter(Boolean) as Record<string, unknown>[];
      if (got.length >= n) return got;
      await sleep(200);
    }
  };
  note('fleet processes started; filling the offline control points\' journals');
  const filled = await waitStage('filled');
  note(`filled: ${JSON.stringify(filled.map((f) => f.perSite))}`);
  const heldEvents: Record<string, number> = {};
  for (const f of filled) for (const [s, n] of Object.entries(f.perSite as Record<string, number>)) heldEvents[s] = (heldEvents[s] ?? 0) + n;
  await waitStage('started');
  note('fleet live; busy hour');
  sampleLoad();
  // busy hour: warm up 15 s (connections, gate_started), then measure
  await sleep(15_000);
  const busyFrom = Date.now();
  const simCpu0 = fleets.reduce((n, f) => n + cpuOf(f.p.pid), 0);
  const c0 = await count();
  const expected = ((GATES - 2 * PER_SITE) * Number(o.rate) * 4) / 3600;
  await sleep(Number(o.busyS) * 1000);
  const busyMs = Date.now() - busyFrom;
  const simCores = Math.round(((fleets.reduce((n, f) => n + cpuOf(f.p.pid), 0) - simCpu0) * 1000 * 100) / busyMs) / 100;
  const busyRate = ((await count()) - c0) / (busyMs / 1000);
  const busyDelays = delays.filter((d) => d.at >= busyFrom).map((d) => d.ms);
  note(`busy hour: ${Math.round(busyRate)} events/s, ${busyDelays.length} delay samples`);
  sampleLoad();

  const catchUp = async (site: string): Promise<{ site: string; events: number; complete: boolean; seconds: number; perSecond: number; totalPerSecond: number }> => {
    const t0 = Date.now();
    const all0 = await count();
    for (const f of fleets) f.p.stdin!.write(`go ${site}\n`);
    let done = 0;
    while ((done = await count(site)) < heldEvents[site]! && Date.now() - t0 < 120_000) await sleep(250);
    const s = (Date.now() - t0) / 1000;
    note(`catch-up ${site}: ${done}/${heldEvents[site]} in ${s.toFixed(1)} s`);
    const total = (await count()) - all0;
    sampleLoad();
    return { site, events: done, complete: done >= heldEvents[site]!, seconds: Math.round(s * 10) / 10, perSecond: Math.round(done / s), totalPerSecond: Math.round(total / s) };
  };
  const one = await catchUp(offline[0]!);
  const two = await catchUp(offline[1]!);

  const size = await db.query<{ bytes: string; n: string }>(
    "SELECT (SELECT sum(pg_total_relation_size(inhrelid)) FROM pg_inherits WHERE inhparent = 'events'::regclass) AS bytes, (SELECT count(*) FROM events) AS n",
  );
  const bytes = Number(size.rows[0]!.bytes);
  const stored = Number(size.rows[0]!.n);
  const alarms = Number((await db.query("SELECT count(*) AS n FROM alarms WHERE kind = 'chain_broken'")).rows[0].n);
  const dups = Number((await db.query('SELECT count(*) AS n FROM (SELECT gate, seq FROM events GROUP BY 1, 2 HAVING count(*) > 1) d')).rows[0].n);
  await db.end();

  const summary = {
    gates: GATES,
    crossingsPerHour: Number(o.rate),
    busy: { seconds: Math.round(busyMs / 1000), eventsPerSecond: Math.round(busyRate), offeredPerSecond: Math.round(expected), simulatorCores: simCores, samples: busyDelays.length, delayP50ms: pct(busyDelays, 50), delayP95ms: pct(busyDelays, 95) },
    ingestCapacityOneInstance: cap1,
    ingestCapacityTwoInstances: cap2,
    catchUp: [one, two],
    chainVerifyUsPerEvent: Math.round(cost.usPerEvent * 10) / 10,
    pgBytesPerMillionEvents: Math.round((bytes / stored) * 1e6),
    storedEvents: stored,
    duplicatesStored: dups,
    chainAlarms: alarms,
    load1: loads.map((l) => l[0]),
    cores: (await import('node:os')).cpus().length,
  };
  const rows: [string, string][] = [
    ['fleet', `${GATES} gates, ${o.rate} crossings/h each (4 events per crossing)`],
    ['busy hour ingest', `${summary.busy.eventsPerSecond} events/s over ${summary.busy.seconds} s (the live gates' schedule offers ${summary.busy.offeredPerSecond}/s; simulator used ${simCores} cores)`],
    ['delay journal → PG → console', `p50 ${summary.busy.delayP50ms} ms, p95 ${summary.busy.delayP95ms} ms (${busyDelays.length} pushes)`],
    ['ingest capacity, 1 instance', `${cap1.events} events in ${cap1.seconds} s = ${cap1.perSecond}/s${cap1.complete ? '' : ' (incomplete)'}`],
    ['ingest CPU per event, 1 instance', `central ${cap1.cpuUsPerEvent.central} µs, PostgreSQL ${cap1.cpuUsPerEvent.postgres} µs, mosquitto ${cap1.cpuUsPerEvent.broker} µs → bound ${cap1.boundPerSecond}/s on ${cpus().length} idle cores`],
    ['ingest capacity, 2 instances', `${cap2.events} events in ${cap2.seconds} s = ${cap2.perSecond}/s${cap2.complete ? '' : ' (incomplete)'}`],
    ...[one, two].map((c): [string, string] => [`catch-up ${c.site} (fleet, 2 instances)`, `${c.events} events in ${c.seconds} s = ${c.perSecond}/s (all traffic ${c.totalPerSecond}/s)${c.complete ? '' : ' (incomplete at the 120 s bound)'}`]),
    ['chain verification', `${summary.chainVerifyUsPerEvent} µs per event (one core)`],
    ['PostgreSQL size', `${(summary.pgBytesPerMillionEvents / 1e6).toFixed(0)} MB per million events (${stored} stored, tables + indexes)`],
    ['integrity', `${dups} duplicate (gate, seq), ${alarms} chain alarms`],
    ['load (1 min) at samples', `${summary.load1.join(', ')} on ${summary.cores} cores`],
  ];
  for (const [k, v] of rows) console.log(`${k.padEnd(34)} ${v}`);
  console.log(JSON.stringify(summary));
} finally {
  for (const p of procs.reverse()) {
    if (p.exitCode === null) {
      p.stdin?.write('stop\n');
      p.kill('SIGTERM');
    }
  }
  await sleep(1000);
  for (const p of procs) if (p.exitCode === null) p.kill('SIGKILL');
  await broker?.close();
  await cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
  rmSync(fleetDir, { recursive: true, force: true });
}
