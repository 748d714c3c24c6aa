import { dirname, resolve } from 'node:path';
import type { GateConfig } from '../../config/schema.ts';
import { startCliServer } from '../cli/server.ts';
import type { Clock } from '../clock.ts';
import { KioskSession } from '../display/kiosk-session.ts';
import { kioskRoutes } from '../display/kiosk-routes.ts';
import { startDisplayServer, type DisplayServer } from '../display/server.ts';
import type { Logger } from '../log.ts';
import type { ServiceNotifier } from '../service/notify.ts';
import { startSync, type SyncHandle } from '../sync/attach.ts';
import { buildKiosk } from './build-kiosk.ts';

/** A touch screen left alone this long while it waits for the visitor goes back to the start. */
const IDLE_MS = 60_000;

/**
 * The kiosk as a service, as kiosk/service/run.ts runs a lane: the seat built from config, the
 * touch page (/kiosk, and any officer page the profile serves) on the display server, the
 * central link, the technician socket; stops in order on SIGTERM.
 */
export async function runKioskService(config: GateConfig, o: { configPath: string; env: NodeJS.ProcessEnv; clock: Clock; log: Logger; notifier: (isAlive: () => boolean) => ServiceNotifier }): Promise<void> {
  const { clock, log, env } = o;
  const seat = await buildKiosk(config, { clock, log });
  const notifier = o.notifier(() => true);
  let display: DisplayServer | undefined;
  let sync: SyncHandle | undefined;
  let cli: { stop(): Promise<void> } | undefined;
  const session = new KioskSession(seat.page, clock, IDLE_MS);
  const routes = kioskRoutes(session);
  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    await notifier.stopping();
    await cli?.stop().catch((err: unknown) => log.error({ err: (err as Error).message }, 'CLI socket failed to close'));
    await sync?.stop().catch((err: unknown) => log.error({ err: (err as Error).message }, 'sync failed to stop'));
    routes.close();
    await display?.stop();
    await seat.stop();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  seat.on('state', (s) => log.info({ state: s.state }, 'state'));

  await seat.start();
  const port = env.EGATE_DISPLAY_PORT ?? String(config.local.displayPort);
  if (port !== 'off') {
    const app = seat.app;
    display = await startDisplayServer(seat, {
      host: env.EGATE_DISPLAY_HOST ?? config.local.displayHost,
      port: Number(port),
      maxClients: config.local.displayMaxClients,
      log,
      routes: (req, res) => routes.handle(req, res) || (app.routes?.(req, res) ?? false),
    });
  }
  if (config.sync.enabled) {
    sync = await startSync(seat, { clock, log: log.child({ part: 'sync' }), base: dirname(resolve(o.configPath)) });
    seat.app.attachSync?.(sync);
  }
  cli = await startCliServer(seat, {
    clock,
    log: log.child({ part: 'cli' }),
    socketPath: config.local.socketPath,
    credentialsPath: config.local.technicianCredentialsPath,
    ...(sync ? { sync } : {}),
    ...(config.local.logFile ? { logFile: config.local.logFile } : {}),
  });
  await notifier.ready(`kiosk ${config.gate} (${config.profile}) started${display ? `, touch page ${display.url}/kiosk` : ''}`);
  log.info({ gate: config.gate, profile: config.profile, display: display?.url }, 'service ready');
}
