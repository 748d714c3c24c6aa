/**
 * The gate process. `npm start` with no configuration runs a complete gate in simulation
 * through the built-in scenario (scripts/demo.ts). With a configuration file (argument or
 * EGATE_CONFIG) it runs that gate until SIGTERM/SIGINT, with the devices the file names.
 */
import { dirname, resolve } from 'node:path';
import { loadConfig } from '../config/load.ts';
import { buildGate, resolvePaths } from './build.ts';
import { SystemClock } from './clock.ts';
import { EgateError } from './errors.ts';
import { createLogger } from './log.ts';

async function runConfigured(path: string): Promise<void> {
  const log = createLogger();
  const config = resolvePaths(loadConfig(path), dirname(resolve(path)));
  const { gate } = await buildGate(config, { clock: new SystemClock(), log });
  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    await gate.stop();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  gate.bus.on('state', (s) => log.info({ state: s.state }, 'state'));
  gate.bus.on('journal', (j) => log.debug({ seq: j.seq, type: j.type }, 'journalled'));
  await gate.start();
  log.info({ gate: config.gate, profile: config.profile }, 'gate started');
}

const path = process.argv[2] ?? process.env.EGATE_CONFIG;
try {
  if (path) await runConfigured(path);
  else {
    const { runDemo } = await import('../scripts/demo.ts');
    process.exitCode = await runDemo({ json: process.argv.includes('--json') });
    setTimeout(() => process.exit(), 200).unref();
  }
} catch (err) {
  console.error(err instanceof EgateError ? `error ${err.code}: ${err.message}` : err);
  process.exit(2);
}
