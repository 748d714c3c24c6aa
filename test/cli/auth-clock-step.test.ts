import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { TechnicianAuth } from '../../kiosk/cli/auth.ts';
import { setTechnician } from '../../kiosk/cli/credentials.ts';
import { SimulatedClock } from '../../kiosk/clock.ts';

/**
 * A technician session's idle time runs on the monotonic clock: `setWallClock` steps the
 * wall clock alone (NTP, an operator), `advance` is real time passing.
 */
const t = suite<{ dir: string; path: string }>('cli: technician session idle time and wall-clock steps');
const LIMITS = { maxFailures: 3, socketMaxFailures: 50, lockoutMs: 60_000 };

t.before.each(async (ctx) => {
  ctx.dir = mkdtempSync(join(tmpdir(), 'egate-auth-step-'));
  ctx.path = join(ctx.dir, 'technicians.json');
  await setTechnician(ctx.path, 'tech01', 'pin', '864209', { N: 1024, r: 8, p: 1 });
});
t.after.each((ctx) => rmSync(ctx.dir, { recursive: true, force: true }));

t('a wall clock stepped back does not stretch an idle session, nor does a step forward end a live one', async ({ path }) => {
  const clock = new SimulatedClock();
  const auth = new TechnicianAuth({ credentialsPath: path, clock, limits: LIMITS, sessionIdleMs: 10_000 });
  const r = await auth.login('tech01', 'pin', '864209');
  assert.ok(r.ok);
  const session = r.ok ? r.session : '';
  clock.setWallClock(clock.now() + 3_600_000);
  assert.is(auth.technician(session), 'tech01', 'a step forward is not idle time');
  clock.setWallClock(clock.now() - 7_200_000);
  clock.advance(10_001);
  assert.throws(() => auth.technician(session), (e: Error & { code?: string }) => e.code === 'LOGIN_REQUIRED', 'idle past the limit although the wall clock is behind');
});

t('a lock is not ended early by a wall clock stepped forward; it ends when its time has passed', async ({ path }) => {
  const clock = new SimulatedClock();
  const auth = new TechnicianAuth({ credentialsPath: path, clock, limits: LIMITS, sessionIdleMs: 10_000 });
  for (let i = 0; i < LIMITS.maxFailures; i++) await auth.login('tech01', 'pin', '000000');
  const locked = await auth.login('tech01', 'pin', '864209');
  assert.is(locked.ok ? 'ok' : locked.code, 'LOCKED_OUT');
  clock.setWallClock(clock.now() + 3_600_000);
  const stepped = await auth.login('tech01', 'pin', '864209');
  assert.is(stepped.ok ? 'ok' : stepped.code, 'LOCKED_OUT', 'a step forward is not the lockout running out');
  clock.advance(LIMITS.lockoutMs);
  assert.ok((await auth.login('tech01', 'pin', '864209')).ok, 'the lock ends once its time has really passed');
});

t('a restart together with a wall step forward does not end a lock: the boot clock carries it to the next process', async ({ path }) => {
  const clock = new SimulatedClock();
  const first = new TechnicianAuth({ credentialsPath: path, clock, limits: LIMITS, sessionIdleMs: 10_000 });
  for (let i = 0; i < LIMITS.maxFailures; i++) await first.login('tech01', 'pin', '000000');
  // The gate restarts (a new process reads the lockout file) while the wall clock jumps a day.
  clock.advance(1_000);
  clock.setWallClock(clock.now() + 86_400_000);
  const second = new TechnicianAuth({ credentialsPath: path, clock, limits: LIMITS, sessionIdleMs: 10_000 });
  const r = await second.login('tech01', 'pin', '864209');
  assert.is(r.ok ? 'ok' : r.code, 'LOCKED_OUT', 'restart + step forward is not the lock running out');
  clock.advance(LIMITS.lockoutMs);
  assert.ok((await second.login('tech01', 'pin', '864209')).ok, 'it ends once its time has passed on the boot clock');
});

t('the socket-wide window is not restarted by a wall step: spraying ids across a step still locks the socket', async ({ path }) => {
  const clock = new SimulatedClock();
  const limits = { maxFailures: 100, socketMaxFailures: 4, lockoutMs: 60_000 };
  const auth = new TechnicianAuth({ credentialsPath: path, clock, limits, sessionIdleMs: 10_000 });
  for (const id of ['a1', 'a2']) await auth.login(id, 'pin', '000000');
  clock.setWallClock(clock.now() + 3_600_000); // the window would look long over by the wall clock
  for (const id of ['a3', 'a4']) await auth.login(id, 'pin', '000000');
  const r = await auth.login('tech01', 'pin', '864209');
  assert.is(r.ok ? 'ok' : r.code, 'LOCKED_OUT', 'four failures within one window on the boot clock lock the socket');
});

t.run();
