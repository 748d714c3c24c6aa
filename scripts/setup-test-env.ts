/**
 * Runs before the tests (`npm test` → pretest): installs the Debian test peers when they are
 * missing and we are root, and provisions the face models. Without root it only says what
 * is missing; the affected tests then skip with one line (or fail under CI=true).
 */
import { execFileSync } from 'node:child_process';
import { Command } from 'commander';
import { createRequire } from 'node:module';
import { provisionModels } from '../models/provision.ts';
import { EgateError } from '../kiosk/errors.ts';

new Command('peers')
  .description('install the Debian packages the tests start as real peers (as root; apt-get only for missing ones), build the optional PC/SC addon, fetch the face models')
  .parse();

const root = new URL('..', import.meta.url).pathname;
try {
  execFileSync('bash', [`${root}scripts/install-peers.sh`], { stdio: 'inherit' });
} catch (err) {
  console.error(`peers: install failed (${(err as Error).message}); tests that need them will skip or, in CI, fail`);
  if (process.env.CI === 'true') process.exit(1);
}
// The PC/SC addon is an optional dependency built against libpcsclite-dev. On a fresh
// machine `npm install` runs before the peers above exist, so it may have been skipped:
// build it now that the headers are there.
const pcscLoads = (): boolean => {
  try {
    createRequire(import.meta.url)('@pokusew/pcsclite');
    return true;
  } catch {
    return false;
  }
};
if (!pcscLoads()) {
  console.error('peers: building the optional PC/SC addon (@pokusew/pcsclite) now that libpcsclite-dev is installed');
  try {
    execFileSync('npm', ['rebuild', '@pokusew/pcsclite'], { cwd: root, stdio: 'inherit' });
    if (!pcscLoads()) execFileSync('npm', ['install', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  } catch (err) {
    console.error(`peers: PC/SC addon still unavailable (${(err as Error).message}); the chip tests will skip or, in CI, fail`);
  }
}
try {
  provisionModels(undefined, (m) => console.error(m));
} catch (err) {
  console.error(err instanceof EgateError ? `error ${err.code}: ${err.message}` : err);
  process.exit(1);
}
