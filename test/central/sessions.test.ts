import * as assert from 'uvu/assert';
import { startCentral, type CentralHandle } from '../../central/central.ts';
import { setUser } from '../../central/console/users.ts';
import { silentLogger } from '../../kiosk/log.ts';
import { peerSuite } from '../helpers/suite.ts';
import { CentralWorld, PG_CTL } from './world.ts';

interface Ctx {
  w: CentralWorld;
  a: CentralHandle;
  b: CentralHandle;
}

const t = peerSuite<Ctx>('central: console sessions shared by instances', ['mosquitto', PG_CTL]);
const PASSWORD = 'correct horse battery';

t.before(async (ctx) => {
  ctx.w = await CentralWorld.start();
  await setUser(ctx.w.config().console.usersPath, 'officer1', 'officer', PASSWORD, { N: 2 ** 10, r: 8, p: 1 });
  // two instances of one central system, as behind a load balancer without sticky sessions
  ctx.a = await startCentral(ctx.w.config({ instance: 'c1' }), silentLogger());
  ctx.b = await startCentral(ctx.w.config({ instance: 'c2' }), silentLogger());
});

t.after(async (ctx) => {
  await ctx.a?.stop();
  await ctx.b?.stop();
  await ctx.w?.close();
});

const call = (h: CentralHandle, path: string, cookie = '', body?: unknown): Promise<Response> =>
  fetch(`${h.console.url}${path}`, body === undefined ? { headers: { cookie } } : { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: JSON.stringify(body) });

t('a login on one instance is known to the other; a logout on either ends it on both', async (ctx) => {
  const login = await call(ctx.a, '/api/login', '', { user: 'officer1', password: PASSWORD });
  assert.is(login.status, 200);
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
  assert.match(cookie, /^egate_sid=[A-Za-z0-9_-]{32}$/);
  const onB = await call(ctx.b, '/api/me', cookie);
  assert.is(onB.status, 200, 'instance c2 knows the session made on c1');
  assert.equal(await onB.json(), { user: 'officer1', role: 'officer' });
  // the cookie itself is not in the database, only its hash
  const rows = await ctx.w.pool.query<{ sid_hash: string; instance: string }>('SELECT sid_hash, instance FROM console_sessions');
  assert.is(rows.rowCount, 1);
  assert.is(rows.rows[0]!.instance, 'c1');
  assert.not.ok(rows.rows[0]!.sid_hash.includes(cookie.slice('egate_sid='.length)));
  assert.is((await call(ctx.b, '/api/logout', cookie, {})).status, 200);
  assert.is((await call(ctx.a, '/api/me', cookie)).status, 401, 'logged out on c2: refused on c1');
  assert.is((await call(ctx.b, '/api/me', cookie)).status, 401);
  const audit = await ctx.w.pool.query<{ action: string; instance: string }>("SELECT action, instance FROM audit WHERE actor = 'officer1' ORDER BY id");
  assert.equal(audit.rows, [{ action: 'login', instance: 'c1' }, { action: 'logout', instance: 'c2' }]);
});

t('an expired session is refused by every instance', async (ctx) => {
  const login = await call(ctx.b, '/api/login', '', { user: 'officer1', password: PASSWORD });
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
  assert.is((await call(ctx.a, '/api/me', cookie)).status, 200);
  // the database clock decides expiry for all instances: move the session's end into the past
  await ctx.w.pool.query("UPDATE console_sessions SET expires_at = now() - interval '1 second'");
  assert.is((await call(ctx.a, '/api/me', cookie)).status, 401);
  assert.is((await call(ctx.b, '/api/state', cookie)).status, 401);
  assert.is((await call(ctx.a, '/api/me', 'egate_sid=forged-cookie-value')).status, 401);
});

t.run();
