/**
 * `npm start -- [options] [config]`: with a configuration file (argument or EGATE_CONFIG) runs
 * that gate (kiosk/service/run.ts) until SIGTERM; without one, a complete gate in simulation
 * playing the built-in scenario (scripts/demo.ts). The launcher lives among the tools so that
 * the product (kiosk/) never imports the simulation: imports point down.
 * Nothing is installed or fetched before the options are read (`--help` has no side effect).
 */
import { spawnSync } from 'node:child_process';
import { Command } from 'commander';
import { EgateError } from '../kiosk/errors.ts';
import { runService } from '../kiosk/service/run.ts';
import { provisionModels } from '../models/provision.ts';
import { demoOptions, runDemo, type DemoOptions } from './demo.ts';

const ROOT = new URL('..', import.meta.url).pathname;

const program = demoOptions(
  new Command('npm start --')
    .description(
      'Runs the gate a configuration file describes, until SIGTERM. Without a configuration, runs a complete gate in simulation through the built-in scenario (one line per crossing, then a summary).',
    )
    .argument('[config]', 'gate configuration JSON (default: $EGATE_CONFIG; none: the simulated gate)'),
)
  .showHelpAfterError('(npm start -- --help lists the options)')
  .addHelpText('after', '\nExamples:\n  npm start\n  npm start -- --profile vehicle --display-port off\n  npm start -- config/examples/pedestrian.json');

program.parse();
const opts = program.opts<DemoOptions>();
const config = program.args[0] ?? (process.env.EGATE_CONFIG || undefined);

if (config && (opts.json || opts.scenario || opts.profile)) program.error('error: --json, --scenario and --profile are for the simulated gate (no configuration file)', { exitCode: 2 });

try {
  // What `prestart` did: the simulated controller's pty needs socat; every gate needs the face models.
  if (!config) spawnSync('bash', [`${ROOT}scripts/install-peers.sh`, 'socat'], { stdio: 'inherit' });
  provisionModels(undefined, (m) => console.error(m));
  if (config) {
    await runService(config, opts.displayPort ? { ...process.env, EGATE_DISPLAY_PORT: opts.displayPort } : process.env);
  } else {
    process.exitCode = await runDemo(opts);
    // Worker threads and handles of a failed run must not keep the process alive.
    setTimeout(() => process.exit(), 200).unref();
  }
} catch (err) {
  // One line; the stack only with --verbose (a simulation that could not finish is not a crash of the tool).
  console.error(err instanceof EgateError ? `error ${err.code}: ${err.message}` : opts.verbose ? err : `error: ${(err as Error).message}`);
  process.exit(2);
}
