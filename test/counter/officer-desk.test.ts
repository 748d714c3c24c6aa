import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { SimulatedClock } from '../../kiosk/clock.ts';
import { errorCode } from '../../kiosk/errors.ts';
import { setTechnician } from '../../kiosk/cli/credentials.ts';
import { Journal } from '../../kiosk/journal/journal.ts';
import { OfficerDesk } from '../../kiosk/counter/officer-desk.ts';

interface Ctx { dir: string; clock: SimulatedClock; journal: Journal; desk: OfficerDesk }
const t = suite<Ctx>('counter officer login and decisions');
const CHEAP = { N: 2 ** 10, r: 8, p: 1 };

t.before.each(async (ctx) => {
  ctx.dir = mkdtempSync(join(tmpdir(), 'egate-officer-'));
  ctx.clock = new SimulatedClock();
  ctx.journal = Journal.open({ path: join(ctx.dir, 'journal.sqlite'), gate: 'CTR-01', clock: ctx.clock, secretPath: join(ctx.dir, 'secret') });
  await setTechnician(join(ctx.dir, 'officers.json'), 'OFF-12', 'pin', '246810', CHEAP);
  ctx.desk = new OfficerDesk({
    credentialsPath: join(ctx.dir, 'officers.json'),
    lockoutPath: join(ctx.dir, 'officer-lockout.json'),
    limits: { maxFailures: 3, socketMaxFailures: 20, lockoutMs: 300_000 },
    journal: ctx.journal,
    clock: ctx.clock,
    idleMs: 600_000,
  });
});
t.after.each((ctx) => {
  ctx.journal.close();
  rmSync(ctx.dir, { recursive: true, force: true });
});

const actions = (ctx: Ctx): string[] =>
  ctx.journal.readAfter(0, 100).filter((e) => e.type === 'officer_action').map((e) => `${(e.data as { officer: string }).officer}:${(e.data as { action: string }).action}`);

async function code(p: Promise<unknown> | (() => unknown)): Promise<string> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (err) {
    return errorCode(err);
  }
  throw new Error('expected an error');
}

t('login, accept, retake, refer, logout: every action journalled with the officer id, never the PIN', async (ctx) => {
  const s = await ctx.desk.login('OFF-12', '246810');
  ctx.desk.decide(s, 'ARR-1', 'accept');
  ctx.desk.decide(s, 'ARR-2', 'retake');
  ctx.desk.decide(s, 'ARR-2', 'refer', 'face score in the doubtful band');
  ctx.desk.logout(s);
  assert.equal(actions(ctx), ['OFF-12:login', 'OFF-12:accept', 'OFF-12:retake', 'OFF-12:refer', 'OFF-12:logout']);
  assert.not.ok(JSON.stringify(ctx.journal.readAfter(0, 100)).includes('246810'));
  assert.is(await code(() => ctx.desk.decide(s, 'ARR-3', 'accept')), 'OFFICER_NO_SESSION');
});

t('wrong PINs lock the officer id; a PIN typed as the id is not journalled', async (ctx) => {
  for (let i = 0; i < 3; i++) assert.is(await code(ctx.desk.login('OFF-12', '000000')), 'OFFICER_REFUSED');
  assert.is(await code(ctx.desk.login('OFF-12', '246810')), 'OFFICER_LOCKED');
  assert.is(await code(ctx.desk.login('246810', '246810')), 'OFFICER_REFUSED');
  assert.equal(actions(ctx), ['OFF-12:login_refused', 'OFF-12:login_refused', 'OFF-12:login_refused', 'OFF-12:login_locked', 'invalid-id:login_refused']);
  ctx.clock.advance(300_001);
  assert.ok(await ctx.desk.login('OFF-12', '246810'));
});

t('a session idle past its limit ends (monotonic clock) and says so in the journal', async (ctx) => {
  const s = await ctx.desk.login('OFF-12', '246810');
  ctx.clock.advance(600_001);
  assert.is(await code(() => ctx.desk.decide(s, 'ARR-1', 'accept')), 'OFFICER_NO_SESSION');
  assert.equal(actions(ctx), ['OFF-12:login', 'OFF-12:session_expired']);
  assert.is(await code(async () => ctx.desk.decide(await ctx.desk.login('OFF-12', '246810'), 'bad id!', 'accept')), 'OFFICER_BAD_REQUEST');
});

t.run();
