/**
 * The gate as a systemd service (deploy/egate.service): builds the configured gate, serves
 * the traveller display, tells systemd when it is ready, feeds the watchdog only while the
 * control loop is alive, and stops in order on SIGTERM.
 *
 *   node --import tsx kiosk/service/run.ts /etc/egate/gate.json
 *
 * Display address: config `local.displayHost` / `local.displayPort`, overridden by
 * EGATE_DISPLAY_HOST and EGATE_DISPLAY_PORT ("off" for a gate without a screen).
 */
import { dirname, resolve } from 'node:path';
import { writablePathsOutsideDataDir } from '../../config/data-paths.ts';
import { loadGateConfig } from '../../config/load.ts';
import { buildGate } from '../build.ts';
import { SystemClock } from '../clock.ts';
import { assertNeededFiles } from '../config-check.ts';
import { GateControl } from '../control.ts';
import { startDisplayServer, type DisplayServer } from '../display/server.ts';
import { startSync, type SyncHandle } from '../sync/attach.ts';
import { startCliServer } from '../cli/server.ts';
import { EgateError } from '../errors.ts';
import { createLogger, type Logger } from '../log.ts';
import { createJournaldLogger } from './journald-log.ts';
import { createPrettyLogger, logFormat } from './pretty-log.ts';
import { ServiceNotifier } from './notify.ts';
import { processChannel, ReleaseLink } from '../update/release-link.ts';
import { isKioskProfile } from '../seat/registry.ts';
import { runKioskService } from '../seat/run-kiosk.ts';
import { selfTestCrossing } from '../update/self-test-crossing.ts';

/** journald sets JOURNAL_STREAM when stdout goes to the journal; a terminal gets readable lines, a pipe JSON. */
function serviceLogger(): Logger {
  const format = logFormat(process.env, process.stdout.isTTY === true);
  return format === 'journald' ? createJournaldLogger() : format === 'pretty' ? createPrettyLogger() : createLogger();
}

export async function runService(configPath: string, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const log = serviceLogger();
  const clock = new SystemClock();
  const loaded = loadGateConfig(configPath);
  // Started from an A/B slot (kiosk/update/launcher.ts): the release's own models, unless the site pinned a directory.
  const config = env.EGATE_MODELS_DIR && !loaded.face.modelsDir ? { ...loaded, face: { ...loaded.face, modelsDir: env.EGATE_MODELS_DIR } } : loaded;
  // Under the systemd unit only dataDir is writable: a store placed elsewhere fails when first written.
  for (const o of writablePathsOutsideDataDir(config)) log.warn({ key: o.key, path: o.path, dataDir: config.dataDir }, 'the gate writes outside dataDir');
  // Every missing key or list at once, each with the command that makes it (`egate config check` shows the same).
  assertNeededFiles(config);
  // A kiosk or counter profile runs on the kiosk host (kiosk/seat/): same journal, sync, CLI and display, no mantrap.
  if (isKioskProfile(config.profile)) {
    return runKioskService(config, { configPath, env, clock, log, notifier: (isAlive) => new ServiceNotifier({ env, isAlive, log: log.child({ part: 'systemd' }), clock }) });
  }
  const { gate } = await buildGate(config, { clock, log });
  const control = new GateControl(gate);
  const notifier = new ServiceNotifier({ env, isAlive: () => gate.binding.isControlLoopAlive(), log: log.child({ part: 'systemd' }), clock });
  let display: DisplayServer | undefined;
  let sync: SyncHandle | undefined;
  let cli: { stop(): Promise<void> } | undefined;

  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    await notifier.stopping();
    await cli?.stop().catch((err: unknown) => log.error({ err: (err as Error).message }, 'CLI socket failed to close'));
    await sync?.stop().catch((err: unknown) => log.error({ err: (err as Error).message }, 'sync failed to stop'));
    await display?.stop();
    await gate.stop();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  gate.bus.on('state', (s) => log.info({ state: s.state }, 'state'));
  gate.bus.on('journal', (j) => log.debug({ seq: j.seq, type: j.type }, 'journalled'));

  await gate.start();
  const port = env.EGATE_DISPLAY_PORT ?? String(config.local.displayPort);
  if (port !== 'off') {
    display = await startDisplayServer(control, { host: env.EGATE_DISPLAY_HOST ?? config.local.displayHost, port: Number(port), maxClients: config.local.displayMaxClients, log });
  }
  if (config.sync.enabled) sync = await startSync(control, { clock, log: log.child({ part: 'sync' }), base: dirname(resolve(configPath)) });
  cli = await startCliServer(control, {
    clock,
    log: log.child({ part: 'cli' }),
    socketPath: config.local.socketPath,
    credentialsPath: config.local.technicianCredentialsPath,
    ...(sync ? { sync } : {}),
    ...(config.local.logFile ? { logFile: config.local.logFile } : {}),
  });
  let mode = '';
  // One spawn per mode change, not per crossing state: `systemctl status` shows the mode.
  gate.bus.on('state', (s) => {
    if (s.mode !== mode) void notifier.status(`mode ${(mode = s.mode)}`);
  });
  await notifier.ready(`gate ${config.gate} started${display ? `, display ${display.url}` : ''}`);
  // Started by the update launcher (kiosk/update/launcher.ts): READY, drain and health over its IPC channel.
  const channel = processChannel();
  if (channel) {
    const selfTest = () => selfTestCrossing(gate.deps.engine, { layout: config.door.layout });
    new ReleaseLink(control, channel, { clock, log: log.child({ part: 'update' }), isAlive: () => gate.binding.isControlLoopAlive(), selfTest }).ready(env.EGATE_RELEASE);
    channel.onDisconnect(() => void stop('launcher gone'));
  }
  log.info({ gate: config.gate, profile: config.profile, display: display?.url, watchdogMs: notifier.watchdogMs }, 'service ready');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const path = process.argv[2] ?? process.env.EGATE_CONFIG;
  if (!path) {
    console.error('usage: run.ts <gate.json> (or EGATE_CONFIG)');
    process.exit(2);
  }
  try {
    await runService(path);
  } catch (err) {
    console.error(err instanceof EgateError ? `error ${err.code}: ${err.message}` : err);
    process.exit(2);
  }
}
