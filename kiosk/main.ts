/**
 * The gate process. `npm start` with no configuration runs a complete gate in simulation
 * through the built-in scenario (scripts/demo.ts). With a configuration file (argument or
 * EGATE_CONFIG) it runs that gate until SIGTERM/SIGINT, with the devices the file names.
 */
import { EgateError } from './errors.ts';
import { runService } from './service/run.ts';

const path = process.argv[2] ?? process.env.EGATE_CONFIG;
try {
  if (path) await runService(path);
  else {
    const { runDemo } = await import('../scripts/demo.ts');
    process.exitCode = await runDemo({ json: process.argv.includes('--json') });
    setTimeout(() => process.exit(), 200).unref();
  }
} catch (err) {
  console.error(err instanceof EgateError ? `error ${err.code}: ${err.message}` : err);
  process.exit(2);
}
