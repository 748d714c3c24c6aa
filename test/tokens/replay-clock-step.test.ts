import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SimulatedClock } from '../../kiosk/clock.ts';
import { FleetKeys, writePrivateKeyFile } from '../../kiosk/tokens/fleet-keys.ts';
import type { TokenResult } from '../../kiosk/tokens/reasons.ts';
import { ReplayCache } from '../../kiosk/tokens/replay-cache.ts';
import { RevocationList } from '../../kiosk/tokens/revocation-list.ts';
import { createTokenWorld, worldQr } from '../../kiosk/tokens/token-world.ts';
import { TrustList } from '../../kiosk/tokens/trust-list.ts';
import { TokenVerifier } from '../../kiosk/tokens/verifier.ts';

/**
 * Issue 11 item 10: the replay window must not depend on the wall clock going forwards.
 * The gate clock is simulated: `advance` moves wall and monotonic time together (real time
 * passing), `setWallClock` steps the wall clock alone (NTP, an operator, a dead RTC).
 */
const reasonOf = (r: TokenResult): string => (r.ok ? 'OK' : r.reason);
const HOUR = 3_600_000;

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'egate-replay-step-'));
  const clock = new SimulatedClock();
  const world = createTokenWorld({ nowMs: clock.now() });
  const fleetDir = join(dir, 'fleet');
  writePrivateKeyFile(fleetDir, world.fleet.kid, world.fleet.keys.privateKey);
  const fleetKeys = FleetKeys.loadDir(fleetDir);
  const path = join(dir, 'replay.sqlite');
  const verifier = (cache: ReplayCache, on: SimulatedClock = clock): TokenVerifier =>
    new TokenVerifier({
      clock: on, fleetKeys, replayCache: cache, service: 'ECH', hasReference: () => true,
      trustList: new TrustList(world.trustList), revocations: new RevocationList(world.revocations),
    });
  return { dir, clock, world, path, verifier, done: () => rmSync(dir, { recursive: true, force: true }) };
}

test('a used QR stays refused after the wall clock steps forward an hour, prunes, and steps back', async () => {
  const s = setup();
  const cache = new ReplayCache(s.path);
  const v = s.verifier(cache);
  const t0 = s.clock.now();
  const qr = worldQr(s.world);
  assert.is(reasonOf(await v.verify(qr, 'qr')), 'OK');
  s.clock.setWallClock(t0 + HOUR);
  s.clock.advance(1_000);
  cache.prune(s.clock.now(), s.clock.monotonic());
  assert.is(reasonOf(await v.verify(qr, 'qr')), 'PRESENTATION_EXPIRED', 'the stepped clock sees an old presentation');
  s.clock.setWallClock(t0 + 5_000);
  assert.is(reasonOf(await v.verify(qr, 'qr')), 'REPLAY');
  // A fresh presentation made after the step back still passes.
  assert.is(reasonOf(await v.verify(worldQr({ ...s.world, nowMs: s.clock.now() }), 'qr')), 'OK');
  cache.close();
  s.done();
});

test('the same after a restart between the steps, and after the nonce was really forgotten (real time passed)', async () => {
  const s = setup();
  let cache = new ReplayCache(s.path);
  const t0 = s.clock.now();
  const qr = worldQr(s.world);
  assert.is(reasonOf(await s.verifier(cache).verify(qr, 'qr')), 'OK');
  // Real time passes beyond the nonce's life, the clock jumps ahead, the cache prunes: the nonce is gone.
  s.clock.advance(90_000);
  s.clock.setWallClock(t0 + HOUR);
  assert.ok(cache.prune(s.clock.now(), s.clock.monotonic()) >= 1);
  assert.is(cache.size, 0);
  cache.close();
  // Restart (a new process: monotonic time starts again), and the wall clock is set back to just after the first use.
  const restarted = new SimulatedClock(t0 + 10_000);
  cache = new ReplayCache(s.path);
  assert.is(reasonOf(await s.verifier(cache, restarted).verify(qr, 'qr')), 'REPLAY', 'forgotten, but below the floor');
  assert.is(reasonOf(await s.verifier(cache, restarted).verify(worldQr({ ...s.world, nowMs: restarted.now() }), 'qr')), 'OK', 'a fresh presentation passes');
  cache.close();
  s.done();
});

test('property: under any sequence of clock steps and real time, a used nonce is never admitted twice', () => {
  const seed = Number(process.env.EGATE_SEED ?? Date.now() % 2 ** 31);
  console.log(`replay clock-step property seed: ${seed}`);
  const dir = mkdtempSync(join(tmpdir(), 'egate-replay-prop-'));
  const window = 30_000;
  let run = 0;
  try {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            { weight: 1, arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 100_000 }) }) },
            { weight: 3, arbitrary: fc.record({ kind: fc.constant('step' as const), ms: fc.oneof(fc.constantFrom(-HOUR, HOUR), fc.integer({ min: -90_000, max: 90_000 })) }) },
            { weight: 4, arbitrary: fc.record({ kind: fc.constant('present' as const), nonce: fc.integer({ min: 0, max: 2 }), age: fc.integer({ min: -window, max: window }) }) },
            { weight: 1, arbitrary: fc.record({ kind: fc.constant('restart' as const) }) },
          ),
          { minLength: 6, maxLength: 24, size: 'max' },
        ),
        (ops) => {
          const path = join(dir, `r${run++}.sqlite`);
          const clock = new SimulatedClock();
          let mono = 0;
          let cache = new ReplayCache(path);
          // The iat each nonce was first accepted with: a nonce is bound to its presentation (signed together).
          const iatOf = new Map<number, number>();
          const admitted = new Set<number>();
          try {
            for (const op of ops) {
              if (op.kind === 'advance') {
                clock.advance(op.ms);
                mono += op.ms;
              } else if (op.kind === 'step') clock.setWallClock(clock.now() + op.ms);
              else if (op.kind === 'restart') {
                cache.close();
                cache = new ReplayCache(path);
                mono = 0; // a new process's monotonic clock starts again from zero
              } else {
                const now = clock.now();
                const iat = iatOf.get(op.nonce) ?? now - op.age;
                if (Math.abs(now - iat) > window) continue; // the verifier's iat check refuses it before the cache
                const ok = cache.claim(new Uint8Array(16).fill(op.nonce), iat + 2 * window, now, mono);
                if (ok) {
                  if (admitted.has(op.nonce)) return false;
                  admitted.add(op.nonce);
                  iatOf.set(op.nonce, iat);
                }
              }
            }
            return true;
          } finally {
            cache.close();
          }
        },
      ),
      { seed, numRuns: 120 },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
