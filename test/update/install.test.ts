import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SystemClock } from '../../kiosk/clock.ts';
import { silentLogger } from '../../kiosk/log.ts';
import { ReleaseLauncher, type LauncherBounds } from '../../kiosk/update/launcher.ts';
import { ReleaseSlots, type InstallStep } from '../../kiosk/update/slots.ts';
import { GateUpdater } from '../../kiosk/update/updater.ts';
import { generateKeys, publishRelease } from '../../scripts/release/tuf-repository.ts';
import { otherLock, updateWorld, type ModelFault, type UpdateWorld, type Variant } from './update-world.ts';

/**
 * A/B install with the launcher (issue 18 items 2 and 4): a signed release prepared while the
 * running one serves, switched after it drained, health checked, rolled back on every kind
 * of failure. Releases are test bundles (fixtures/release-main.mjs) that misbehave on demand.
 * Invariant after every case: `current` = `confirmed`, a complete verified slot, running.
 */
const clock = new SystemClock();
const worlds: UpdateWorld[] = [];
const launchers: ReleaseLauncher[] = [];

interface Gate {
  w: UpdateWorld;
  slots: ReleaseSlots;
  updater: GateUpdater;
  launcher: ReleaseLauncher;
  journal: { type: string; data: Record<string, unknown> }[];
}

const BOUNDS: LauncherBounds = { maxOutOfServiceMs: 60_000, drainTimeoutMs: 30_000, stopTimeoutMs: 5_000, readyTimeoutMs: 60_000 };

async function gateOn100(bounds: Partial<LauncherBounds> = {}, onStep?: (step: InstallStep, slots: ReleaseSlots) => void): Promise<Gate> {
  const w = await updateWorld();
  worlds.push(w);
  const journal: Gate['journal'] = [];
  const updater = new GateUpdater({ dataDir: w.dataDir, repositoryUrl: w.url, onEvent: (e) => journal.push({ type: e.type.toLowerCase(), data: { ...e } }) });
  let armed = false;
  const slots: ReleaseSlots = new ReleaseSlots(w.installRoot, (step) => armed && onStep?.(step, slots));
  w.publish('1.0.0');
  slots.adopt(slots.prepare(await updater.fetchRelease()));
  const launcher = new ReleaseLauncher({ slots, clock, log: silentLogger(), bounds: { ...BOUNDS, ...bounds }, stdio: 'ignore', journal: (type, data) => journal.push({ type, data }) });
  launchers.push(launcher);
  await launcher.start();
  armed = true;
  journal.length = 0;
  return { w, slots, updater, launcher, journal };
}

/** The gate runs a complete verified release that its pointers agree on. */
function assertWhole(g: Gate, release: string): void {
  const cur = g.slots.current();
  assert.ok(cur, 'a current release');
  assert.is(cur, g.slots.confirmed(), 'current is the confirmed release');
  assert.is(g.slots.problem(cur!), undefined, 'the slot is complete and verified');
  assert.is(g.slots.manifest(cur!).release, release);
  assert.ok(g.launcher.running && !g.launcher.running.exited, 'a release is running');
  assert.equal(readdirSync(g.slots.slotsDir).filter((f) => f.startsWith('.prep')), [], 'no half-prepared slot');
}

async function update(g: Gate, release: string, o: { variant?: Variant; models?: ModelFault; lock?: 'other' | 'none' } = {}) {
  g.w.publish(release, o);
  return g.launcher.install(await g.updater.fetchRelease());
}

test.after(async () => {
  for (const l of launchers) await l.stop();
  for (const w of worlds) await w.close();
});

test('a good release is prepared, switched after the drain, health checked and confirmed', async () => {
  const g = await gateOn100();
  const before = g.launcher.running!.pid;
  const r = await update(g, '1.1.0');
  assert.is(r.outcome, 'confirmed', r.reason);
  assert.ok(r.outOfServiceMs! >= 0 && r.switchMs! >= 0 && r.prepareMs >= 0);
  assertWhole(g, '1.1.0');
  assert.is.not(g.launcher.running!.pid, before, 'the new release runs in a new process');
  assert.equal(g.journal.map((e) => e.type), ['update_staged', 'update_prepared', 'update_switched', 'update_confirmed']);
  assert.is(g.journal[2]!.data.from, 'a');
  // the old release stays in the other slot until the next one is prepared there
  assert.is(g.slots.manifest('a').release, '1.0.0');
  const r2 = await update(g, '1.2.0');
  assert.is(r2.outcome, 'confirmed');
  assertWhole(g, '1.2.0');
  assert.is(g.slots.current(), 'a');
});

for (const [variant, reason] of [
  ['crash', 'HEALTH_EXITED'],
  ['self-test-fails', 'HEALTH_SELF_TEST'],
] as const) {
  test(`a bundle that ${variant === 'crash' ? 'crashes on start' : 'fails its self-test crossing'} is rolled back (${reason}), journalled, not retried`, async () => {
    const g = await gateOn100();
    const r = await update(g, '2.0.0', { variant });
    assert.is(r.outcome, 'rolled_back');
    assert.is(r.reason, reason);
    assert.ok(r.rollbackMs! >= 0);
    assertWhole(g, '1.0.0');
    const last = g.journal.at(-1)!;
    assert.is(last.type, 'update_rolled_back');
    assert.is(last.data.reason, reason);
    assert.equal(g.journal.map((e) => e.type), ['update_staged', 'update_prepared', 'update_switched', 'update_rolled_back']);
    assert.equal(g.launcher.failedVersions(), [2]);
  });
}

test('a release built against another dependency lock than the installed runtime is refused (UPDATE_RUNTIME_MISMATCH) before anything is switched; tried again once the runtime is re-provisioned', async () => {
  const g = await gateOn100();
  const before = g.launcher.running!.pid;
  const r = await update(g, '2.0.0', { lock: 'other' });
  assert.is(r.outcome, 'refused');
  assert.is(r.reason, 'UPDATE_RUNTIME_MISMATCH');
  assert.equal(g.journal.map((e) => e.type), ['update_staged', 'update_refused']);
  assert.is(g.journal[1]!.data.reason, 'UPDATE_RUNTIME_MISMATCH');
  assert.match(String(g.journal[1]!.data.detail), /needs the runtime of lock/);
  // never drained, never switched: the same process serves on, no slot prepared
  assert.is(g.launcher.running!.pid, before);
  assertWhole(g, '1.0.0');
  assert.not.ok(readdirSync(g.slots.slotsDir).includes('b'), 'nothing left in the spare slot');
  assert.equal(g.launcher.failedVersions(), [2], 'not retried on this runtime');
  // the runtime re-provisioned from the release's lock (npm ci --omit=dev): the same release is tried again and installs
  writeFileSync(join(g.w.installRoot, 'package-lock.json'), otherLock);
  assert.equal(g.launcher.failedVersions(), []);
  const again = await g.launcher.install(await g.updater.fetchRelease());
  assert.is(again.outcome, 'confirmed', again.reason);
  assertWhole(g, '2.0.0');
  // a bundle that names no lock at all is not installable either
  const r3 = await update(g, '2.1.0', { lock: 'none' });
  assert.is(r3.outcome, 'refused');
  assert.is(r3.reason, 'UPDATE_BUNDLE_INVALID');
  assertWhole(g, '2.0.0');
});

test('a release that never becomes READY, or whose devices never answer, goes back when the out-of-service bound passes', async () => {
  const g = await gateOn100({ maxOutOfServiceMs: 2_500 });
  const r = await update(g, '2.0.0', { variant: 'never-ready' });
  assert.is(r.outcome, 'rolled_back');
  assert.is(r.reason, 'HEALTH_NOT_READY');
  assertWhole(g, '1.0.0');
  // READY must come within the bound for the devices to be the reason: 10 s leaves a loaded machine room to start it
  const g2 = await gateOn100({ maxOutOfServiceMs: 10_000 });
  const r2 = await update(g2, '2.0.1', { variant: 'devices-dead' });
  assert.is(r2.outcome, 'rolled_back');
  assert.is(r2.reason, 'HEALTH_DEVICES');
  assertWhole(g2, '1.0.0');
});

for (const [models, code] of [
  ['manifest-hash-wrong', 'UPDATE_MODEL_MISMATCH'],
  ['calibrated-for-other-model', 'UPDATE_CALIBRATION'],
  ['far-above-target', 'UPDATE_CALIBRATION'],
] as const) {
  test(`a model release with ${models} is refused before any switch (${code})`, async () => {
    const g = await gateOn100();
    const pid = g.launcher.running!.pid;
    const r = await update(g, '3.0.0', { models });
    assert.is(r.outcome, 'refused');
    assert.is(r.reason, code);
    assertWhole(g, '1.0.0');
    assert.is(g.launcher.running!.pid, pid, 'the running release was never stopped');
    assert.equal(g.journal.map((e) => e.type), ['update_staged', 'update_refused']);
    assert.is(g.journal[1]!.data.reason, code);
  });
}

test('a staged file corrupted on the gate\'s disk after verification is refused at prepare', async () => {
  const g = await gateOn100();
  g.w.publish('4.0.0');
  const staged = await g.updater.fetchRelease();
  const f = staged.targets.find((t) => t.name === 'models/fr_feature.onnx')!.file;
  const bytes = readFileSync(f);
  bytes[10] = bytes[10]! ^ 1;
  writeFileSync(f, bytes);
  const r = await g.launcher.install(staged);
  assert.is(r.outcome, 'refused');
  assert.is(r.reason, 'UPDATE_CORRUPT');
  assertWhole(g, '1.0.0');
  assert.ok(!readdirSync(g.slots.slotsDir).includes('b') || g.slots.problem('b') === undefined);
});

test('a prepared slot damaged before the switch is not switched to: the drained lane goes back in service', async () => {
  const g = await gateOn100({}, (step, slots) => {
    if (step === 'slot_renamed') writeFileSync(join(slots.slotDir('b'), 'models', 'fr_detect.onnx'), 'bit rot');
  });
  const pid = g.launcher.running!.pid;
  const r = await update(g, '4.1.0');
  assert.is(r.outcome, 'refused');
  assert.is(r.reason, 'UPDATE_CORRUPT');
  assert.is(g.launcher.running!.pid, pid, 'the running release was never stopped');
  await g.launcher.running!.expect('resumed', 10_000);
  assert.is(g.slots.current(), 'a');
  assert.equal(g.journal.map((e) => e.type), ['update_staged', 'update_prepared', 'update_refused']);
});

test('TUF attacks end at the fetch: no slot prepared, the running release untouched (unsigned, rolled back, mix-and-match)', async () => {
  const g = await gateOn100();
  const tryUpdate = async (): Promise<string> => {
    try {
      await g.launcher.install(await g.updater.fetchRelease());
      return 'installed';
    } catch (err) {
      return (err as { code?: string }).code ?? 'error';
    }
  };
  const meta = (f: string): string => join(g.w.repo, 'metadata', f);
  // unsigned: a release signed by keys the trusted root does not name
  const rogue = join(g.w.dir, 'rogue-keys');
  generateKeys(rogue);
  const oldTimestamp = readFileSync(meta('timestamp.json'));
  publishRelease({ repoDir: g.w.repo, keyDir: rogue, version: '6.6.6', files: [] });
  assert.is(await tryUpdate(), 'UPDATE_UNSIGNED');
  // rolled back: the mirror serves the timestamp of release 1.0.0 after the gate saw newer metadata
  writeFileSync(meta('timestamp.json'), oldTimestamp);
  g.w.publish('1.1.0');
  assert.is((await update(g, '1.2.0')).outcome, 'confirmed');
  writeFileSync(meta('timestamp.json'), oldTimestamp);
  assert.is(await tryUpdate(), 'UPDATE_ROLLBACK');
  // mix-and-match: the newest snapshot served with an older targets file
  g.w.publish('1.3.0');
  const v = (readdirSync(join(g.w.repo, 'metadata')).map((f) => /^(\d+)\.targets\.json$/.exec(f)?.[1]).filter(Boolean) as string[]).map(Number).sort((a, b) => b - a);
  writeFileSync(meta(`${v[0]}.targets.json`), readFileSync(meta(`${v[1]}.targets.json`)));
  // tuf-js checks the version against the snapshot before the hash: an older targets file the gate already trusted reads as a rollback
  const mixed = await tryUpdate();
  assert.ok(mixed === 'UPDATE_MIX_AND_MATCH' || mixed === 'UPDATE_ROLLBACK', mixed);
  assert.is(g.slots.manifest(g.slots.current()!).release, '1.2.0', 'still the last genuine release');
  assert.equal(g.journal.filter((e) => e.type === 'update_refused').map((e) => e.data.reason), ['UPDATE_UNSIGNED', 'UPDATE_ROLLBACK', mixed]);
  assertWhole(g, '1.2.0');
});

test.run();
