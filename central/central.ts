import type { Logger } from '../kiosk/log.ts';
import { CommandService } from './commands/service.ts';
import { openCommandSigner } from './commands/signer.ts';
import type { CentralConfig } from './config.ts';
import { ConsoleServer } from './console/server.ts';
import { openPool, type Pool } from './db/pool.ts';
import { IngestService } from './ingest/service.ts';
import { RolloutService } from './rollout-service.ts';

/** How often running rollouts look at their gates' outcomes. */
const ROLLOUT_TICK_MS = 10_000;

export interface CentralHandle {
  ingest: IngestService;
  console: ConsoleServer;
  commands: CommandService;
  rollouts: RolloutService;
  pool: Pool;
  stop(): Promise<void>;
}

/**
 * One central instance: ingest (its share of the fleet's events, every status), the
 * officers' console, and the command publisher. Several instances with the same MQTT group
 * and database are one central system.
 */
export async function startCentral(cfg: CentralConfig, log: Logger): Promise<CentralHandle> {
  const signer = openCommandSigner(cfg.commands);
  const pool = openPool(cfg.db.url, cfg.db.poolSize);
  const ingest = new IngestService(cfg, pool, log, signer);
  await ingest.start();
  const commands = new CommandService({ pool, signer, groups: cfg.commands.groups, instance: cfg.instance, publish: (t, p) => ingest.consumer.publish(t, p) });
  const consoleServer = new ConsoleServer({
    host: cfg.console.host,
    port: cfg.console.port,
    usersPath: cfg.console.usersPath,
    sessionMinutes: cfg.console.sessionMinutes,
    instance: cfg.instance,
    dbUrl: cfg.db.url,
    pool,
    commands,
    log: log.child({ part: 'console' }),
  });
  await consoleServer.start();
  // Staged rollouts (issue 18): every instance ticks; the conditional row updates let one move a wave.
  const rollouts = new RolloutService(pool, commands, cfg.instance);
  await rollouts.migrate();
  const rolloutTimer = setInterval(() => void rollouts.tick().catch((err: unknown) => log.error({ err: (err as Error).message }, 'rollout tick failed')), ROLLOUT_TICK_MS);
  return {
    ingest,
    console: consoleServer,
    commands,
    rollouts,
    pool,
    async stop() {
      clearInterval(rolloutTimer);
      await consoleServer.stop();
      await ingest.stop();
      await pool.end();
      signer.close();
    },
  };
}
