import { chmodSync, mkdtempSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SimulatedClock } from '../../kiosk/clock.ts';
import { EgateError } from '../../kiosk/errors.ts';
import { generateP256 } from '../../kiosk/tokens/cose-key.ts';
import { FleetKeys, writePrivateKeyFile } from '../../kiosk/tokens/fleet-keys.ts';
import type { TokenResult } from '../../kiosk/tokens/reasons.ts';
import { ReplayCache } from '../../kiosk/tokens/replay-cache.ts';
import { RevocationList } from '../../kiosk/tokens/revocation-list.ts';
import { createTokenWorld, worldQr } from '../../kiosk/tokens/token-world.ts';
import { TrustList } from '../../kiosk/tokens/trust-list.ts';
import { TokenVerifier } from '../../kiosk/tokens/verifier.ts';

const reasonOf = (r: TokenResult): string => (r.ok ? 'OK' : r.reason);

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'egate-token-stores-'));
  const clock = new SimulatedClock();
  const world = createTokenWorld({ nowMs: clock.now() });
  const fleetDir = join(dir, 'fleet');
  writePrivateKeyFile(fleetDir, world.fleet.kid, world.fleet.keys.privateKey);
  const verifierWith = (fleetKeys: FleetKeys, replayCache: ReplayCache): TokenVerifier =>
    new TokenVerifier({
      clock, fleetKeys, replayCache, service: 'ECH', hasReference: () => true,
      trustList: new TrustList(world.trustList), revocations: new RevocationList(world.revocations),
    });
  return { dir, clock, world, fleetDir, verifierWith, done: () => rmSync(dir, { recursive: true, force: true }) };
}

test('a used nonce is still refused after the replay cache is closed and reopened (a restart)', async () => {
  const s = setup();
  const path = join(s.dir, 'replay.sqlite');
  const keys = FleetKeys.loadDir(s.fleetDir);
  const qr = worldQr(s.world);
  let cache = new ReplayCache(path);
  assert.is(reasonOf(await s.verifierWith(keys, cache).verify(qr, 'qr')), 'OK');
  cache.close();
  cache = new ReplayCache(path);
  assert.is(cache.size, 1);
  assert.is(reasonOf(await s.verifierWith(keys, cache).verify(qr, 'qr')), 'REPLAY');
  cache.close();
  s.done();
});

test('nonces are pruned once their window has passed, and a pruned nonce cannot pass the iat check anyway', async () => {
  const s = setup();
  const cache = new ReplayCache(join(s.dir, 'replay.sqlite'));
  const v = s.verifierWith(FleetKeys.loadDir(s.fleetDir), cache);
  const qr = worldQr(s.world);
  assert.is(reasonOf(await v.verify(qr, 'qr')), 'OK');
  s.clock.advance(59_000);
  assert.is(cache.prune(s.clock.now(), s.clock.monotonic()), 0, 'kept for twice the window after iat');
  s.clock.advance(2_000);
  assert.is(cache.prune(s.clock.now(), s.clock.monotonic()), 1);
  assert.is(cache.size, 0);
  assert.is(reasonOf(await v.verify(qr, 'qr')), 'PRESENTATION_EXPIRED');
  // The claim itself is atomic and exact; what was forgotten stays refused (below the floor).
  const nonce = new Uint8Array(16).fill(3);
  const t0 = s.clock.now();
  const m0 = s.clock.monotonic();
  assert.ok(cache.claim(nonce, t0 + 1_000, t0, m0));
  assert.not.ok(cache.claim(nonce, t0 + 1_000, t0 + 500, m0 + 500));
  assert.is(cache.prune(t0 + 1_001, m0 + 1_001), 1);
  assert.not.ok(cache.claim(nonce, t0 + 1_000, t0 + 1_001, m0 + 1_001), 'forgotten, not reusable');
  cache.close();
  s.done();
});

test('fleet key rotation: two kids decrypt side by side; the removed kid becomes KEY_UNKNOWN', async () => {
  const s = setup();
  const next = { kid: 'fleet-2027-01', keys: generateP256() };
  writePrivateKeyFile(s.fleetDir, next.kid, next.keys.privateKey);
  const keys = FleetKeys.loadDir(s.fleetDir);
  assert.equal(keys.kids(), ['fleet-2026-11', 'fleet-2027-01']);
  const cache = new ReplayCache(join(s.dir, 'replay.sqlite'));
  const v = s.verifierWith(keys, cache);
  const toNext = { fleet: { kid: next.kid, publicKey: next.keys.publicKey } };
  const r = await v.verify(worldQr(s.world, toNext), 'qr');
  assert.is(reasonOf(r), 'OK');
  assert.is(r.ok && r.fleetKid, next.kid);
  assert.is(reasonOf(await v.verify(worldQr(s.world), 'qr')), 'OK');
  unlinkSync(join(s.fleetDir, 'fleet-2026-11.pem'));
  keys.reload(s.fleetDir);
  assert.is(reasonOf(await v.verify(worldQr(s.world), 'qr')), 'KEY_UNKNOWN');
  assert.is(reasonOf(await v.verify(worldQr(s.world, toNext), 'qr')), 'OK');
  assert.ok(keys.remove(next.kid));
  assert.is(reasonOf(await v.verify(worldQr(s.world, toNext), 'qr')), 'KEY_UNKNOWN');
  cache.close();
  s.done();
});

test('a fleet key file readable by others is refused and the keys in force stay', () => {
  const s = setup();
  const keys = FleetKeys.loadDir(s.fleetDir);
  const path = writePrivateKeyFile(s.fleetDir, 'fleet-2027-02', generateP256().privateKey);
  chmodSync(path, 0o644);
  assert.throws(() => keys.reload(s.fleetDir), (e: unknown) => e instanceof EgateError && e.code === 'KEY_FILE_MODE');
  assert.equal(keys.kids(), ['fleet-2026-11']);
  assert.throws(() => FleetKeys.loadDir(join(s.dir, 'absent')), (e: unknown) => e instanceof EgateError && e.code === 'FLEET_KEYS_UNREADABLE');
  s.done();
});

test.run();
