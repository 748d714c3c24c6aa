import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SystemClock } from '../../kiosk/clock.ts';
import { Journal } from '../../kiosk/journal/index.ts';
import { ReleaseSlots } from '../../kiosk/update/slots.ts';
import { GateUpdater } from '../../kiosk/update/updater.ts';
import { ROOT, updateWorld, type UpdateWorld } from './update-world.ts';

/**
 * The service entry (kiosk/update/launcher-main.ts) with a configuration: it starts the
 * installed release, finds the newer signed one at start, installs it, and the gate's own
 * journal holds every step (what central receives through sync).
 */
let w: UpdateWorld | undefined;

test.after(async () => {
  await w?.close();
});

test('the launcher service installs the newer release at start and journals each step', async () => {
  w = await updateWorld();
  const world = w;
  world.publish('1.0.0');
  const slots = new ReleaseSlots(world.installRoot);
  slots.adopt(slots.prepare(await new GateUpdater({ dataDir: world.dataDir, repositoryUrl: world.url, onEvent: () => {} }).fetchRelease()));
  world.publish('1.1.0');
  const config = join(world.dir, 'gate.json');
  const journalPath = join(world.dataDir, 'journal.sqlite');
  const secretPath = join(world.dataDir, 'keys', 'gate-secret');
  writeFileSync(config, JSON.stringify({ gate: 'UPD-01', dataDir: world.dataDir, journal: { path: journalPath, secretPath }, update: { enabled: true, repositoryUrl: world.url, rollout: 'newest' } }));
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'kiosk/update/launcher-main.ts'), config], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    // the runner silences logs; the test reads the launcher's
    env: { ...process.env, EGATE_LOG_LEVEL: 'info' },
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  try {
    const deadline = Date.now() + 120_000;
    while (!/"msg":"update finished"/.test(out)) {
      if (Date.now() > deadline || child.exitCode !== null) assert.unreachable(`no install within 120 s:\n${out}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.match(out, /"outcome":"confirmed"/);
  } finally {
    child.kill('SIGTERM');
  }
  assert.is(await exited, 0, out);
  assert.is(slots.manifest(slots.current()!).release, '1.1.0');
  assert.is(slots.confirmed(), slots.current());
  const journal = Journal.open({ path: journalPath, gate: 'UPD-01', clock: new SystemClock(), secretPath });
  try {
    const types = journal.readAfter(0, 100).map((e) => e.type).filter((t) => t.startsWith('update_'));
    assert.equal(types, ['update_staged', 'update_prepared', 'update_switched', 'update_confirmed']);
  } finally {
    journal.close();
  }
});

test.run();
