import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as assert from 'uvu/assert';
import { SystemClock } from '../../kiosk/clock.ts';
import { silentLogger } from '../../kiosk/log.ts';
import { ReleaseLauncher } from '../../kiosk/update/launcher.ts';
import { ReleaseSlots } from '../../kiosk/update/slots.ts';
import { GateUpdater } from '../../kiosk/update/updater.ts';
import { HERE, ROOT, updateWorld, type UpdateWorld } from './update-world.ts';

/**
 * Power cuts during an install: the installing process (fixtures/install-child.ts) SIGKILLs
 * itself exactly at a step boundary or at an instant; the next start recovers the slots.
 */
const CHILD = join(HERE, 'fixtures', 'install-child.ts');
const clock = new SystemClock();
const worlds: UpdateWorld[] = [];

interface ChildResult {
  signal: NodeJS.Signals | null;
  code: number | null;
  out: string;
}

/** A gate provisioned on release 1.0.0, with `next` published for it to install. */
export async function gateWith(next: string, variant: 'good' | 'crash' = 'good', bundleBytes?: number): Promise<UpdateWorld> {
  const w = await updateWorld();
  worlds.push(w);
  w.publish('1.0.0');
  const slots = new ReleaseSlots(w.installRoot);
  slots.adopt(slots.prepare(await new GateUpdater({ dataDir: w.dataDir, repositoryUrl: w.url, onEvent: () => {} }).fetchRelease()));
  w.publish(next, { variant, ...(bundleBytes ? { bundleBytes } : {}) });
  return w;
}

export function runChild(w: UpdateWorld, o: Record<string, unknown>): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, JSON.stringify({ dataDir: w.dataDir, installRoot: w.installRoot, url: w.url, ...o })], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const deadline = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`install child did not finish within 120 s:\n${out}`));
    }, 120_000);
    child.on('exit', (code, signal) => {
      clearTimeout(deadline);
      resolve({ code, signal, out });
    });
  });
}

/** What the next start finds: recovered slots, one whole release, and it runs. */
export async function afterPowerCut(w: UpdateWorld, expected: string, why: string): Promise<void> {
  const slots = new ReleaseSlots(w.installRoot);
  slots.recover();
  const cur = slots.current();
  assert.ok(cur, `${why}: a current release`);
  assert.is(cur, slots.confirmed(), `${why}: current is confirmed`);
  assert.is(slots.problem(cur!), undefined, `${why}: complete and verified`);
  assert.is(slots.manifest(cur!).release, expected, why);
  assert.equal(readdirSync(slots.slotsDir).filter((f) => f.startsWith('.')), [], `${why}: nothing half-prepared`);
  const launcher = new ReleaseLauncher({ slots, clock, log: silentLogger(), stdio: 'ignore', journal: () => {}, bounds: { maxOutOfServiceMs: 60_000, drainTimeoutMs: 30_000, stopTimeoutMs: 5_000, readyTimeoutMs: 60_000 } });
  try {
    await launcher.start();
  } finally {
    await launcher.stop();
  }
}

/** Runs the cases a few at a time: each child spends most of its life loading TypeScript. */
export async function pool<T>(items: readonly T[], n: number, run: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(Array.from({ length: n }, async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await run(item);
  }));
}

export async function closeWorlds(): Promise<void> {
  for (const w of worlds.splice(0)) await w.close();
}

/**
 * A power cut at each of `steps` of an install of 1.1.0 over 1.0.0, four gates at a time:
 * the installing process is SIGKILLed at the step, and at the next start the gate is on a
 * complete verified release — the new one only if the cut came after it was confirmed.
 */
export async function cutAtEachStep(steps: readonly string[]): Promise<void> {
  await pool(steps, 4, async (step) => {
    const w = await gateWith('1.1.0');
    const r = await runChild(w, { killAt: step });
    assert.is(r.signal, 'SIGKILL', `killed at ${step}:\n${r.out}`);
    await afterPowerCut(w, step === 'confirmed' ? '1.1.0' : '1.0.0', `cut at ${step}`);
  });
}
