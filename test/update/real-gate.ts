import { execFileSync } from 'node:child_process';
import { readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SystemClock } from '../../kiosk/clock.ts';
import { silentLogger } from '../../kiosk/log.ts';
import { createTokenWorld } from '../../kiosk/tokens/token-world.ts';
import { saveTokenWorld } from '../../kiosk/tokens/world-files.ts';
import { ReleaseLauncher, type LauncherOptions } from '../../kiosk/update/launcher.ts';
import { ReleaseSlots } from '../../kiosk/update/slots.ts';
import { GateUpdater } from '../../kiosk/update/updater.ts';
import { buildRelease } from '../../scripts/release/bundle.ts';
import { publishRelease } from '../../scripts/release/tuf-repository.ts';
import { ROOT, type UpdateWorld } from './update-world.ts';

/**
 * The real application as releases, for bench-update --real: bundles built from one commit of
 * this checkout, a gate in simulation (pedestrian or vehicle profile) provisioned with the
 * runtime of that commit's lock, started by the launcher. `publish(release, 'loose')` builds a
 * release whose calibration lets anyone match: only its self-test crossing catches it.
 */
export interface RealGate {
  slots: ReleaseSlots;
  updater: GateUpdater;
  launcher: ReleaseLauncher;
  publish(release: string, kind?: 'good' | 'loose'): void;
}

export async function realGate(w: UpdateWorld, o: { profile?: 'pedestrian' | 'vehicle'; stdio?: 'inherit' | 'ignore'; journal?: LauncherOptions['journal'] } = {}): Promise<RealGate> {
  const rev = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT }).toString().trim();
  let n = 0;
  const publish = (release: string, kind: 'good' | 'loose' = 'good'): void => {
    const built = buildRelease({
      root: ROOT,
      rev,
      release,
      outDir: join(w.dir, `build-${++n}`),
      beforePack: (app) => {
        if (kind !== 'loose') return;
        const f = join(app, 'config', 'operating-points.json');
        const ops = JSON.parse(readFileSync(f, 'utf8')) as { operatingPoints: Record<string, { threshold: number }> };
        for (const p of Object.values(ops.operatingPoints)) p.threshold = -1;
        writeFileSync(f, JSON.stringify(ops));
      },
    });
    publishRelease({ repoDir: w.repo, keyDir: w.keys, version: release, files: built.files });
  };
  publish('1.0.0');
  const slots = new ReleaseSlots(w.installRoot);
  symlinkSync(join(ROOT, 'node_modules'), join(w.installRoot, 'node_modules'));
  writeFileSync(join(w.installRoot, 'package-lock.json'), execFileSync('git', ['show', `${rev}:package-lock.json`], { cwd: ROOT }));
  saveTokenWorld(createTokenWorld({ nowMs: Date.now() }), join(w.dataDir, 'keys'));
  const config = join(w.dir, 'gate.json');
  const profile = o.profile ?? 'pedestrian';
  writeFileSync(config, JSON.stringify({ gate: 'BENCH-01', profile, ...(profile === 'vehicle' ? { door: { layout: 'vehicle' } } : {}), dataDir: w.dataDir, local: { displayPort: 0, socketPath: join(w.dataDir, 'cli.sock') }, timings: { healthyBeforeServiceMs: 300 } }));
  const updater = new GateUpdater({ dataDir: w.dataDir, repositoryUrl: w.url, onEvent: () => {} });
  slots.adopt(slots.prepare(await updater.fetchRelease()));
  const launcher = new ReleaseLauncher({
    slots,
    clock: new SystemClock(),
    log: silentLogger(),
    args: [config],
    env: { ...process.env, EGATE_DISPLAY_PORT: 'off' },
    stdio: o.stdio ?? 'ignore',
    bounds: { maxOutOfServiceMs: 120_000, drainTimeoutMs: 60_000, stopTimeoutMs: 10_000, readyTimeoutMs: 120_000 },
    journal: o.journal ?? (() => {}),
  });
  await launcher.start();
  return { slots, updater, launcher, publish };
}
