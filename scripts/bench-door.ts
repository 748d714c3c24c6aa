/**
 * Measures the door controller link over a socat pty, against our simulated controller
 * (scripts/sim-controller.ts in its own process) and against Debian's pymodbus 3.0 slave:
 *  - achieved input poll rate (complete polls per second: coils, inputs, input registers)
 *    at the configured 100 ms interval and at the fastest allowed (20 ms);
 *  - fault-detection time: ms from SIGKILL of the slave process to the master's 'fault'.
 * Prints a table, then a JSON summary as the last stdout line.
 *
 *   node --import tsx scripts/bench-door.ts [--seconds 4] [--trials 5]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { Command } from 'commander';
import { doorSection } from '../config/sections/door.ts';
import { SystemClock } from '../kiosk/clock.ts';
import { createModbusDoorController } from '../drivers/door/modbus-master.ts';

const opts = new Command('bench-door')
  .option('--seconds <n>', 'seconds per poll-rate run', (v) => Number(v), 4)
  .option('--trials <n>', 'fault-detection trials per peer', (v) => Number(v), 5)
  .parse()
  .opts<{ seconds: number; trials: number }>();

const ROOT = new URL('..', import.meta.url).pathname;
const PEERS = {
  'sim-controller': (dev: string) => spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts/sim-controller.ts'), '--device', dev], { stdio: ['pipe', 'pipe', 'ignore'] }),
  pymodbus: (dev: string) => spawn('/usr/bin/python3', [join(ROOT, 'test/peers/modbus_slave.py'), dev], { stdio: ['pipe', 'pipe', 'ignore'] }),
} as const;
type PeerName = keyof typeof PEERS;

async function startPeer(name: PeerName, dev: string): Promise<ChildProcess> {
  const proc = PEERS[name](dev);
  const first = await Promise.race([
    new Promise<string>((r) => createInterface({ input: proc.stdout! }).once('line', r)),
    sleep(15_000).then(() => 'timeout'),
  ]);
  if (first === 'timeout') throw new Error(`${name} did not start`);
  return proc;
}

async function kill(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const gone = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGKILL');
  await gone;
}

async function ptyPair(): Promise<{ a: string; b: string; close(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'egate-bench-door-'));
  const [a, b] = [join(dir, 'a'), join(dir, 'b')];
  const socat = spawn('socat', [`pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], { stdio: 'ignore' });
  for (let i = 0; i < 250 && !(existsSync(a) && existsSync(b)); i++) await sleep(20);
  return {
    a,
    b,
    async close() {
      await kill(socat);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function master(port: string, pollIntervalMs: number) {
  const config = doorSection.parse({ driver: 'modbus', port, parity: 'none', pollIntervalMs });
  return createModbusDoorController(config, { clock: new SystemClock(), isControlLoopAlive: () => true });
}

async function pollRate(peer: PeerName, pollIntervalMs: number): Promise<{ hz: number; failedPolls: number; retries: number }> {
  const pty = await ptyPair();
  const proc = await startPeer(peer, pty.b);
  const m = master(pty.a, pollIntervalMs);
  try {
    await m.start();
    await sleep(500);
    const p0 = m.stats.polls;
    const t0 = performance.now();
    await sleep(opts.seconds * 1000);
    const hz = ((m.stats.polls - p0) * 1000) / (performance.now() - t0);
    return { hz: Math.round(hz * 10) / 10, failedPolls: m.stats.failedPolls, retries: m.stats.retries };
  } finally {
    await m.stop();
    await kill(proc);
    await pty.close();
  }
}

async function faultDetection(peer: PeerName): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < opts.trials; i++) {
    const pty = await ptyPair();
    const proc = await startPeer(peer, pty.b);
    const m = master(pty.a, 100);
    try {
      await m.start();
      if (!m.healthy) throw new Error(`${peer} did not answer`);
      await sleep(300 + Math.random() * 100); // kill at a random phase of the poll cycle
      let faultAt = 0;
      m.on('fault', () => (faultAt = performance.now()));
      const killedAt = performance.now();
      await kill(proc);
      for (let t = 0; t < 5000 && !faultAt; t += 5) await sleep(5);
      out.push(faultAt ? Math.round(faultAt - killedAt) : Number.NaN);
    } finally {
      await m.stop();
      await kill(proc);
      await pty.close();
    }
  }
  return out;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const results: Record<string, unknown>[] = [];
for (const peer of Object.keys(PEERS) as PeerName[]) {
  const at100 = await pollRate(peer, 100);
  const at20 = await pollRate(peer, 20);
  const fault = await faultDetection(peer);
  results.push({
    peer,
    pollHzAt100ms: at100.hz,
    pollHzAt20ms: at20.hz,
    failedPolls: at100.failedPolls + at20.failedPolls,
    faultDetectMs: { min: Math.min(...fault), median: median(fault), max: Math.max(...fault), trials: fault },
  });
}

console.log('peer            poll Hz (100 ms)  poll Hz (20 ms)  failed polls  fault detection ms (min / median / max)');
for (const r of results) {
  const f = r.faultDetectMs as { min: number; median: number; max: number };
  console.log(`${String(r.peer).padEnd(16)}${String(r.pollHzAt100ms).padEnd(18)}${String(r.pollHzAt20ms).padEnd(17)}${String(r.failedPolls).padEnd(14)}${f.min} / ${f.median} / ${f.max}`);
}
console.log(JSON.stringify({
  bench: 'door',
  conditions: { link: 'socat pty pair, 8N1 (pty ignores baud)', faultAfterMs: 1000, responseTimeoutMs: 200, retries: 2, seconds: opts.seconds, trials: opts.trials, cpus: cpus().length, node: process.version },
  results,
}));
