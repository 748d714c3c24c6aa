import { loadConfig } from '../config/load.ts';
import { EgateError } from './errors.ts';
try {
  const cfg = loadConfig(process.argv[2]);
  console.log(JSON.stringify({ gate: cfg.gate, profile: cfg.profile }));
} catch (err) {
  console.error(err instanceof EgateError ? err.message : err);
  process.exit(2);
}
