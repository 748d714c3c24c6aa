/**
 * The central service process: `node --import tsx central/main.ts --config /etc/egate/central.json`
 * (systemd: deploy/egate-central@.service, one unit per instance).
 */
import { Command } from 'commander';
import { createLogger } from '../kiosk/log.ts';
import { startCentral } from './central.ts';
import { loadCentralConfig } from './config.ts';

const opts = new Command('egate-central')
  .description('egate central service: ingest to PostgreSQL, officers\' console, signed commands')
  .requiredOption('--config <path>', 'central configuration JSON (central/config.ts)')
  .option('--instance <name>', 'instance name (overrides config.instance; systemd %i)')
  .option('--console-port <n>', 'console port of this instance (overrides config.console.port)')
  .parse()
  .opts<{ config: string; instance?: string; consolePort?: string }>();

const cfg = loadCentralConfig(opts.config);
if (opts.instance) cfg.instance = opts.instance;
if (opts.consolePort) cfg.console.port = Number(opts.consolePort);
const log = createLogger().child({ central: cfg.instance });
const central = await startCentral(cfg, log);
log.info({ console: central.console.url }, 'central service running');
const stop = (): void => {
  void central.stop().then(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
