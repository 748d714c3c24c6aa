import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseConfig, loadConfig } from '../config/load.ts';
import { assertGateFilesSafe } from '../kiosk/gate-files.ts';
import { readCredentials, writeCredentials } from '../kiosk/cli/credentials.ts';
import { LoginLockout } from '../kiosk/cli/lockout.ts';
import { loadOrCreateKeyFile } from '../kiosk/journal/key-file.ts';
import { FileModeError, assertStrictModes } from '../kiosk/strict-modes.ts';
import { loadCentralKey } from '../kiosk/sync/central-key.ts';
import { generateP256 } from '../kiosk/tokens/cose-key.ts';
import { FleetKeys } from '../kiosk/tokens/fleet-keys.ts';
import { trustListEntry } from '../kiosk/tokens/issuer.ts';
import { openTokenStores } from '../kiosk/tokens/open.ts';
import { TrustList } from '../kiosk/tokens/trust-list.ts';
import { TokenVerifier } from '../kiosk/tokens/verifier.ts';
import { SimulatedClock } from '../kiosk/clock.ts';
import { createTokenWorld, worldCredential } from '../kiosk/tokens/token-world.ts';
import { saveTokenWorld } from '../kiosk/tokens/world-files.ts';

const asRoot = process.getuid?.() === 0;
const NOBODY = 65534;

function world() {
  const dir = mkdtempSync(join(tmpdir(), 'egate-strict-'));
  const clock = new SimulatedClock();
  const w = createTokenWorld({ nowMs: clock.now() });
  saveTokenWorld(w, join(dir, 'w'));
  const cfg = parseConfig({
    dataDir: dir,
    tokens: {
      fleetKeysDir: join(dir, 'w', 'fleet'),
      trustListPath: join(dir, 'w', 'trust-list.json'),
      revocationListPath: join(dir, 'w', 'revocations.json'),
      replayCachePath: join(dir, 'replay.sqlite'),
    },
    journal: { path: join(dir, 'journal.sqlite'), secretPath: join(dir, 'keys', 'gate-secret') },
    enrolment: { path: join(dir, 'enrolment.sqlite'), keyPath: join(dir, 'keys', 'enrolment.key') },
    local: { technicianCredentialsPath: join(dir, 'keys', 'technicians.json'), socketPath: join(dir, 'egate.sock') },
  });
  return { dir, clock, w, cfg, done: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Another local user appends a trust-list entry for an issuer key of their own. */
function addRogueIssuer(s: ReturnType<typeof world>): void {
  const path = s.cfg.tokens.trustListPath;
  const list = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  list[s.w.rogueIssuer.kid] = trustListEntry(s.w.rogueIssuer.keys.publicKey, new Date(s.clock.now() - 86_400_000), new Date(s.clock.now() + 86_400_000 * 365));
  writeFileSync(path, JSON.stringify(list));
}

const unsafe = (code: string, path: string) => (e: unknown): boolean =>
  e instanceof FileModeError && e.code === code && e.message.includes(path) && /chmod|chown/.test(e.message);

test('a trust list others can write is refused at start: a rogue issuer added by another user opens no door', async () => {
  const s = world();
  const path = s.cfg.tokens.trustListPath;
  chmodSync(path, 0o666);
  addRogueIssuer(s);
  // What the old gate did with that file: the rogue credential passed the token check.
  let stores;
  try {
    stores = openTokenStores(s.cfg.tokens);
  } catch (err) {
    assert.ok(unsafe('FILE_UNSAFE_MODE', path)(err), String(err));
    assert.match((err as Error).message, `chmod go-w ${path}`);
  }
  if (stores) {
    const v = new TokenVerifier({ ...stores, clock: s.clock, service: 'ECH', hasReference: () => true });
    const r = await v.verify(worldCredential(s.w, { issuer: s.w.rogueIssuer, mobile: false }), 'card');
    stores.replayCache.close();
    assert.unreachable(`an other-writable trust list was loaded; the rogue credential got ${r.ok ? 'OK' : r.reason}`);
  }
  assert.throws(() => assertGateFilesSafe(s.cfg), unsafe('FILE_UNSAFE_MODE', path));
  chmodSync(path, 0o644);
  const ok = openTokenStores(s.cfg.tokens);
  assert.is(ok.trustList.size, 3);
  ok.replayCache.close();
  s.done();
});

test('group-writable lists and a writable parent directory are refused, and so is a reload', () => {
  const s = world();
  const trust = TrustList.load(s.cfg.tokens.trustListPath);
  chmodSync(s.cfg.tokens.revocationListPath, 0o664);
  assert.throws(() => openTokenStores(s.cfg.tokens), unsafe('FILE_UNSAFE_MODE', s.cfg.tokens.revocationListPath));
  chmodSync(s.cfg.tokens.revocationListPath, 0o644);
  // a directory others can write lets them replace the file: refused though the file is 0644
  const wdir = join(s.dir, 'w');
  chmodSync(wdir, 0o777);
  assert.throws(() => TrustList.load(s.cfg.tokens.trustListPath), unsafe('FILE_UNSAFE_MODE', wdir));
  assert.throws(() => FleetKeys.loadDir(s.cfg.tokens.fleetKeysDir), unsafe('FILE_UNSAFE_MODE', wdir));
  // ...unless it has the sticky bit (like /tmp): nobody can then replace an entry they do not own
  chmodSync(wdir, 0o1777);
  assert.is(TrustList.load(s.cfg.tokens.trustListPath).size, trust.size);
  chmodSync(wdir, 0o755);
  s.done();
});

test('central key, technician file, gate secret and the config file: same rule, fix named', () => {
  const s = world();
  const central = join(s.dir, 'central.pub.pem');
  writeFileSync(central, generateP256().publicKey.export({ type: 'spki', format: 'pem' }), { mode: 0o666 });
  chmodSync(central, 0o666);
  assert.throws(() => loadCentralKey(central), unsafe('FILE_UNSAFE_MODE', central));
  chmodSync(central, 0o644);
  assert.ok(loadCentralKey(central));

  const tech = s.cfg.local.technicianCredentialsPath;
  writeCredentials(tech, { version: 1, technicians: {} });
  chmodSync(tech, 0o640);
  assert.throws(() => readCredentials(tech), unsafe('FILE_UNSAFE_MODE', tech));
  chmodSync(tech, 0o600);
  assert.equal(readCredentials(tech).technicians, {});

  const lockout = `${tech}.lockout.json`;
  writeFileSync(lockout, JSON.stringify({ version: 1, technicians: {}, socket: { failures: 0, since: 0 } }), { mode: 0o600 });
  chmodSync(lockout, 0o666);
  const limits = { maxFailures: 3, socketMaxFailures: 8, lockoutMs: 60_000 };
  assert.throws(() => new LoginLockout(lockout, new SimulatedClock(), limits), unsafe('FILE_UNSAFE_MODE', lockout));
  chmodSync(lockout, 0o600);
  new LoginLockout(lockout, new SimulatedClock(), limits);

  const secret = s.cfg.journal.secretPath;
  loadOrCreateKeyFile(secret);
  chmodSync(join(s.dir, 'keys'), 0o770);
  assert.throws(() => loadOrCreateKeyFile(secret), unsafe('FILE_UNSAFE_MODE', join(s.dir, 'keys')));
  chmodSync(join(s.dir, 'keys'), 0o700);

  const cfgPath = join(s.dir, 'gate.json');
  writeFileSync(cfgPath, JSON.stringify({ gate: 'T-1' }));
  chmodSync(cfgPath, 0o666);
  assert.throws(() => loadConfig(cfgPath), unsafe('FILE_UNSAFE_MODE', cfgPath));
  chmodSync(cfgPath, 0o644);
  assert.is(loadConfig(cfgPath).gate, 'T-1');
  s.done();
});

test('files or directories owned by another user are refused (chown named)', () => {
  if (!asRoot) {
    console.log('SKIP strict-modes ownership: needs root to chown a file to another user');
    return;
  }
  const s = world();
  const path = s.cfg.tokens.trustListPath;
  chownSync(path, NOBODY, NOBODY);
  assert.throws(() => TrustList.load(path), unsafe('FILE_UNSAFE_OWNER', path));
  assert.throws(() => assertGateFilesSafe(s.cfg), unsafe('FILE_UNSAFE_OWNER', path));
  chownSync(path, 0, 0);
  const fleet = s.cfg.tokens.fleetKeysDir;
  chownSync(fleet, NOBODY, NOBODY);
  assert.throws(() => FleetKeys.loadDir(fleet), unsafe('FILE_UNSAFE_OWNER', fleet));
  chownSync(fleet, 0, 0);
  const sub = join(s.dir, 'other');
  mkdirSync(sub);
  chownSync(sub, NOBODY, NOBODY);
  // a file not there yet is checked from the nearest directory: the gate will not create a key where another user can swap it
  assert.throws(() => assertStrictModes(join(sub, 'keys', 'k'), 'key file'), unsafe('FILE_UNSAFE_OWNER', sub));
  s.done();
});

test('the whole configured set passes when modes are right', () => {
  const s = world();
  assertGateFilesSafe(s.cfg);
  s.done();
});

test.run();
