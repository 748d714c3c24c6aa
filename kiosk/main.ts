/**
 * The configured gate: `node --import tsx kiosk/main.ts [--display-port N] <gate.json>` (or
 * EGATE_CONFIG) runs that gate with the devices the file names until SIGTERM/SIGINT.
 * The simulated gate playing a scenario is a tool (scripts/start.ts, which `npm start` runs):
 * the product does not depend on its tools.
 */
import { Command } from 'commander';
import { EgateError } from './errors.ts';
import { runService } from './service/run.ts';

const program = new Command('egate-gate')
  .description('run the gate a configuration file describes, until SIGTERM')
  .argument('[config]', 'gate configuration JSON (default: $EGATE_CONFIG)')
  .option('--display-port <port>', 'serve the traveller display on this port ("off": none); default config local.displayPort')
  .showHelpAfterError()
  .parse();
const path = program.args[0] ?? process.env.EGATE_CONFIG;
const { displayPort } = program.opts<{ displayPort?: string }>();
if (!path) program.error('error: no configuration file (argument or EGATE_CONFIG); `npm start` without one runs the simulated gate', { exitCode: 2 });
try {
  await runService(path!, displayPort ? { ...process.env, EGATE_DISPLAY_PORT: displayPort } : process.env);
} catch (err) {
  console.error(err instanceof EgateError ? `error ${err.code}: ${err.message}` : err);
  process.exit(2);
}
