import { execFileSync } from 'node:child_process';
import { readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SystemClock } from '../../kiosk/clock.ts';
import { silentLogger } from '../../kiosk/log.ts';
import { createTokenWorld } from '../../kiosk/tokens/token-world.ts';
import { saveTokenWorld } from '../../kiosk/tokens/world-files.ts';
import { ReleaseLauncher } from '../../kiosk/update/launcher.ts';
import { ReleaseSlots } from '../../kiosk/update/slots.ts';
import { GateUpdater } from '../../kiosk/update/updater.ts';
import { buildRelease } from '../../scripts/release/bundle.ts';
import { publishRelease } from '../../scripts/release/tuf-repository.ts';
import { ROOT, updateWorld, type UpdateWorld } from './update-world.ts';

/**
 * The real application as a release (issue 18 items 1 and 2): a bundle built from this
 * checkout (scripts/release/bundle.ts) is signed into the TUF targets, fetched and verified
 * by a gate, prepared into a slot and started by the launcher — the simulated pedestrian gate
 * reaches READY from the slot, with the slot's models. Then a second build whose calibration
 * lets anyone match is installed: its READY, models and devices pass, but its self-test
 * crossing on the door twin clears the impostor, so it is rolled back to the first.
 */
let w: UpdateWorld | undefined;
let launcher: ReleaseLauncher | undefined;

test.after(async () => {
  await launcher?.stop();
  await w?.close();
});

test('a bundle built from this checkout installs into a slot and starts READY; a build failing its self-test crossing rolls back', async () => {
  w = await updateWorld();
  const world = w;
  // One commit for every build here (others may commit meanwhile).
  const rev = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT }).toString().trim();
  const good = buildRelease({ root: ROOT, rev, release: '1.0.0', outDir: join(world.dir, 'build-1') });
  // Reproducible: the same commit gives the same tarball.
  const again = buildRelease({ root: ROOT, rev, release: '1.0.0', outDir: join(world.dir, 'build-1b') });
  assert.is(again.bundle.sha256, good.bundle.sha256, 'same commit, same bundle');
  const names = good.files.map((f) => f.name);
  assert.ok(names.includes('models/fr_feature.onnx') && names.includes('models/manifest.json') && names.includes('models/operating-points.json'), names.join(' '));
  const entry = JSON.parse(readFileSync(join(good.dir, 'app', 'egate-release.json'), 'utf8')) as { files: { path: string }[] };
  const paths = entry.files.map((f) => f.path);
  assert.ok(paths.includes('kiosk/main.ts') && paths.includes('package-lock.json'));
  assert.not.ok(paths.some((p) => p.startsWith('test/') || p.startsWith('scripts/') || p.startsWith('central/')), 'no tests, tools or central in the gate bundle');
  publishRelease({ repoDir: world.repo, keyDir: world.keys, version: '1.0.0', files: good.files });

  // The gate: runtime provisioned from the same lock, token files, configuration.
  const slots = new ReleaseSlots(world.installRoot);
  symlinkSync(join(ROOT, 'node_modules'), join(world.installRoot, 'node_modules'));
  writeFileSync(join(world.installRoot, 'package-lock.json'), execFileSync('git', ['show', `${rev}:package-lock.json`], { cwd: ROOT }));
  saveTokenWorld(createTokenWorld({ nowMs: Date.now() }), join(world.dataDir, 'keys'));
  const config = join(world.dir, 'gate.json');
  writeFileSync(config, JSON.stringify({ gate: 'BND-01', dataDir: world.dataDir, local: { displayPort: 0, socketPath: join(world.dataDir, 'cli.sock') }, timings: { healthyBeforeServiceMs: 300 } }));
  const updater = new GateUpdater({ dataDir: world.dataDir, repositoryUrl: world.url, onEvent: () => {} });
  slots.adopt(slots.prepare(await updater.fetchRelease()));
  const journal: { type: string; data: Record<string, unknown> }[] = [];
  launcher = new ReleaseLauncher({
    slots,
    clock: new SystemClock(),
    log: silentLogger(),
    args: [config],
    env: { ...process.env, EGATE_DISPLAY_PORT: 'off' },
    stdio: process.env.EGATE_TEST_RELEASE_OUTPUT ? 'inherit' : 'ignore',
    bounds: { maxOutOfServiceMs: 120_000, drainTimeoutMs: 60_000, stopTimeoutMs: 10_000, readyTimeoutMs: 120_000 },
    journal: (type, data) => journal.push({ type, data }),
  });
  await launcher.start();
  assert.ok(launcher.running && !launcher.running.exited, 'the release from the slot is running');

  // A release whose calibration lets anyone through (threshold -1 in its config): only the self-test sees it.
  const loose = buildRelease({
    root: ROOT,
    rev,
    release: '1.1.0',
    outDir: join(world.dir, 'build-2'),
    beforePack: (app) => {
      const f = join(app, 'config', 'operating-points.json');
      const ops = JSON.parse(readFileSync(f, 'utf8')) as { operatingPoints: Record<string, { threshold: number }> };
      for (const p of Object.values(ops.operatingPoints)) p.threshold = -1;
      writeFileSync(f, JSON.stringify(ops));
    },
  });
  publishRelease({ repoDir: world.repo, keyDir: world.keys, version: '1.1.0', files: loose.files });
  const r = await launcher.install(await updater.fetchRelease());
  assert.is(r.outcome, 'rolled_back', JSON.stringify(r));
  assert.is(r.reason, 'HEALTH_SELF_TEST');
  const back = journal.at(-1)!;
  assert.is(back.type, 'update_rolled_back');
  assert.match(String(back.data.detail), /impostor CLEARED/, String(back.data.detail));
  assert.is(slots.manifest(slots.current()!).release, '1.0.0');
  assert.is(slots.current(), slots.confirmed());
  assert.ok(launcher.running && !launcher.running.exited, 'the first release runs again');
  console.log(`bundle ${good.bundle.bytes} bytes, ${good.bundle.files} files; rollback after self-test ${r.rollbackMs} ms, out of service ${r.outOfServiceMs} ms`);
});

test.run();
