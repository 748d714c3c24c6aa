/**
 * The gate installed in A/B slots, as the systemd service's main process:
 *
 *   node --import tsx kiosk/update/launcher-main.ts /etc/egate/gate.json
 *
 * Recovers the slots, starts the release in `current` (its kiosk/main.ts with the same
 * configuration), says READY to systemd once that release is ready, and — with
 * `update.enabled` — looks for a signed release at start and every `update.checkIntervalMs`,
 * installing it between crossings (launcher.ts). Update events go to the gate's journal (the
 * journal takes a second writer; central receives them through the gate's sync) and the log.
 * If the release stops by itself the launcher exits non-zero: systemd restarts it and the
 * next start recovers the slots.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { loadGateConfig } from '../../config/load.ts';
import { SystemClock } from '../clock.ts';
import { Journal } from '../journal/index.ts';
import { createLogger } from '../log.ts';
import { ServiceNotifier } from '../service/notify.ts';
import { ReleaseLauncher, type UpdateJournalType } from './launcher.ts';
import { allowedTargetsVersion } from './allowed.ts';
import { ReleaseSlots } from './slots.ts';
import { GateUpdater } from './updater.ts';

export async function runLauncher(configPath: string, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const log = createLogger().child({ part: 'launcher' });
  const clock = new SystemClock();
  const config = loadGateConfig(configPath);
  const u = config.update;
  mkdirSync(dirname(config.journal.path), { recursive: true });
  const journal = Journal.open({ path: config.journal.path, gate: config.gate, clock, secretPath: config.journal.secretPath });
  const record = (type: UpdateJournalType, data: Record<string, unknown>): void => {
    log.info({ type, ...data }, 'update');
    try {
      journal.append(type, data as never);
    } catch (err) {
      log.error({ type, err: (err as Error).message }, 'update event not journalled');
    }
  };
  const slots = new ReleaseSlots(u.installRoot ?? join(config.dataDir, 'releases'));
  const launcher = new ReleaseLauncher({
    slots,
    clock,
    log,
    env,
    args: [resolve(configPath)],
    bounds: { maxOutOfServiceMs: u.maxOutOfServiceMs, drainTimeoutMs: u.drainTimeoutMs, stopTimeoutMs: u.stopTimeoutMs, readyTimeoutMs: Math.max(u.maxOutOfServiceMs, 120_000) },
    journal: record,
  });
  const notifier = new ServiceNotifier({ env, isAlive: () => launcher.running?.exited === false, log, clock });
  let installing = false;
  let stopping = false;
  const stop = async (why: string, code: number): Promise<void> => {
    if (stopping) return;
    stopping = true;
    log.info({ why }, 'launcher stopping');
    await notifier.stopping();
    await launcher.stop();
    journal.close();
    process.exit(code);
  };
  process.on('SIGTERM', () => void stop('SIGTERM', 0));
  process.on('SIGINT', () => void stop('SIGINT', 0));

  await launcher.start();
  const watchExit = (): void => {
    const r = launcher.running;
    void r?.waitExit().then(() => {
      if (!installing && launcher.running === r) void stop('the release exited', 1);
    });
  };
  watchExit();
  await notifier.ready(`release ${slots.manifest(slots.current()!).release} running`);

  const updater = new GateUpdater({
    dataDir: config.dataDir,
    repositoryUrl: u.repositoryUrl ?? '',
    fetchTimeoutMs: u.fetchTimeoutMs,
    onEvent: (e) => record(e.type === 'UPDATE_STAGED' ? 'update_staged' : 'update_refused', e.type === 'UPDATE_STAGED' ? { release: e.release, targets_version: e.targetsVersion, files: e.files, bytes: e.bytes } : { reason: e.reason, detail: e.detail.slice(0, 300) }),
  });
  const check = async (): Promise<void> => {
    if (installing || stopping) return;
    installing = true;
    try {
      const staged = await updater.fetchRelease();
      const running = slots.manifest(slots.current()!);
      const allowed = u.rollout === 'newest' || staged.targetsVersion <= allowedTargetsVersion(config.dataDir);
      if (allowed && staged.targetsVersion > running.targetsVersion && !launcher.failedVersions().includes(staged.targetsVersion)) {
        const r = await launcher.install(staged);
        log.info({ ...r }, 'update finished');
      }
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'update check failed');
    } finally {
      installing = false;
      watchExit();
    }
  };
  if (u.enabled) {
    void check();
    clock.setInterval(() => void check(), u.checkIntervalMs);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const path = process.argv[2] ?? process.env.EGATE_CONFIG;
  if (!path) {
    console.error('usage: launcher-main.ts <gate.json> (or EGATE_CONFIG)');
    process.exit(2);
  }
  await runLauncher(path).catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(2);
  });
}
