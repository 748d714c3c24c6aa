import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { TechnicianAuth } from '../../kiosk/cli/auth.ts';
import { setTechnician } from '../../kiosk/cli/credentials.ts';
import { SimulatedClock } from '../../kiosk/clock.ts';

const t = suite<{ dir: string; path: string }>('cli: technician auth on a simulated clock');
const LIMITS = { maxFailures: 3, socketMaxFailures: 50, lockoutMs: 60_000 };
const CHEAP = { N: 1024, r: 8, p: 1 };

t.before.each(async (ctx) => {
  ctx.dir = mkdtempSync(join(tmpdir(), 'egate-auth-'));
  ctx.path = join(ctx.dir, 'technicians.json');
  await setTechnician(ctx.path, 'tech01', 'pin', '864209', CHEAP);
});
t.after.each((ctx) => rmSync(ctx.dir, { recursive: true, force: true }));

t('a lockout ends after its cool-down, and not a millisecond before', async ({ path }) => {
  const clock = new SimulatedClock();
  const auth = new TechnicianAuth({ credentialsPath: path, clock, limits: LIMITS, sessionIdleMs: 10_000 });
  for (let i = 0; i < 3; i++) await auth.login('tech01', 'pin', '000000');
  clock.advance(59_999);
  assert.is((await auth.login('tech01', 'pin', '864209')).ok, false);
  clock.advance(1);
  assert.is((await auth.login('tech01', 'pin', '864209')).ok, true);
});

t('parallel guesses are counted one by one: no more than maxFailures get a real try', async ({ path }) => {
  const auth = new TechnicianAuth({ credentialsPath: path, clock: new SimulatedClock(), limits: LIMITS, sessionIdleMs: 10_000 });
  const results = await Promise.all(Array.from({ length: 10 }, (_, i) => auth.login('tech01', 'pin', String(100000 + i))));
  const codes = results.map((r) => (r.ok ? 'ok' : r.code));
  assert.equal(codes, ['LOGIN_FAILED', 'LOGIN_FAILED', ...Array<string>(8).fill('LOCKED_OUT')]);
});

t('a session ends after the idle time; each command restarts the idle time', async ({ path }) => {
  const clock = new SimulatedClock();
  const auth = new TechnicianAuth({ credentialsPath: path, clock, limits: LIMITS, sessionIdleMs: 10_000 });
  const r = await auth.login('tech01', 'pin', '864209');
  assert.ok(r.ok);
  const session = r.ok ? r.session : '';
  clock.advance(9_000);
  assert.is(auth.technician(session), 'tech01');
  clock.advance(9_000);
  assert.is(auth.technician(session), 'tech01', 'the previous command kept it alive');
  clock.advance(10_001);
  assert.throws(() => auth.technician(session), (e: Error & { code?: string }) => e.code === 'LOGIN_REQUIRED');
  assert.throws(() => auth.technician(session), (e: Error & { code?: string }) => e.code === 'LOGIN_REQUIRED', 'and stays ended');
});

t('PIN and id rules', async ({ path }) => {
  await setTechnician(path, 'tech02', 'pin', '123456', CHEAP);
  for (const [id, pin] of [['tech 02', '123456'], ['tech02', '12345'], ['tech02', '12345a'], ['', '123456']] as const) {
    try {
      await setTechnician(path, id, 'pin', pin, CHEAP);
      assert.unreachable(`${id}/${pin} accepted`);
    } catch (err) {
      assert.is((err as { code?: string }).code, 'BAD_REQUEST');
    }
  }
});

t.run();
