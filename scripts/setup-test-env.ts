/**
 * Runs before the tests (`npm test` → pretest): installs the Debian test peers when they are
 * missing and we are root, and provisions the face models. Without root it only says what
 * is missing; the affected tests then skip with one line (or fail under CI=true).
 */
import { execFileSync } from 'node:child_process';
import { provisionModels } from '../models/provision.ts';
import { EgateError } from '../kiosk/errors.ts';

const root = new URL('..', import.meta.url).pathname;
try {
  execFileSync('bash', [`${root}scripts/install-peers.sh`], { stdio: 'inherit' });
} catch (err) {
  console.error(`peers: install failed (${(err as Error).message}); tests that need them will skip or, in CI, fail`);
  if (process.env.CI === 'true') process.exit(1);
}
try {
  provisionModels(undefined, (m) => console.error(m));
} catch (err) {
  console.error(err instanceof EgateError ? `error ${err.code}: ${err.message}` : err);
  process.exit(1);
}
