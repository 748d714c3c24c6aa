/** `npm run models`: fetch and verify the face models (see models/manifest.json). */
import { provisionModels } from '../models/provision.ts';
import { EgateError } from '../kiosk/errors.ts';

try {
  provisionModels(undefined, (m) => console.error(m));
} catch (err) {
  console.error(err instanceof EgateError ? `error ${err.code}: ${err.message}` : err);
  process.exit(1);
}
