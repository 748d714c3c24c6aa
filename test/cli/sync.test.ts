import * as assert from 'uvu/assert';
import type { CliClient } from '../../kiosk/cli/client.ts';
import { setTechnician } from '../../kiosk/cli/credentials.ts';
import { SystemClock } from '../../kiosk/clock.ts';
import { silentLogger } from '../../kiosk/log.ts';
import { startSync } from '../../kiosk/sync/attach.ts';
import { peerSuite } from '../helpers/suite.ts';
import { Broker } from '../sync/broker.ts';
import { actionsAfter, loggedIn, startTestGate, TECH, type TestGate } from './harness.ts';

const t = peerSuite<{ g: TestGate; c: CliClient; broker: Broker }>('cli: sync status and flush over the real central link (mosquitto)', ['mosquitto']);

t.before(async (ctx) => {
  ctx.broker = await Broker.start();
  ctx.g = await startTestGate({
    config: { sync: { enabled: true, url: `mqtt://127.0.0.1:${ctx.broker.port}` } },
    sync: (control, dir) => startSync(control, { clock: new SystemClock(), log: silentLogger(), base: dir }),
  });
  await setTechnician(ctx.g.credentialsPath, TECH.id, 'pin', TECH.pin);
  ctx.c = await loggedIn(ctx.g);
});
t.after(async (ctx) => {
  ctx.c?.close();
  await ctx.g?.close();
  await ctx.broker?.close();
});

t('sync status shows the link; flush empties the backlog the broker acknowledged', async ({ g, c }) => {
  const st = (await c.request('sync.status')) as { backlog: number; connected: boolean };
  assert.type(st.connected, 'boolean');
  const seq = g.control.journalStore.lastSeq();
  const r = (await c.request('sync.flush')) as { unsentBefore: number; unsentAfter: number };
  assert.is(r.unsentAfter, 0, 'everything journalled before the flush is delivered');
  assert.equal(actionsAfter(g, seq).map((a) => `${a.action}:${a.result}`), ['sync_flush:ok']);
  const s = (await c.request('status')) as { sync: { connected: boolean } | null };
  assert.ok(s.sync && s.sync.connected, 'status carries the link state');
});

t('with the broker gone, sync status shows the link down and the backlog growing', async ({ broker, c }) => {
  await broker.kill();
  let st = (await c.request('sync.status')) as { backlog: number; connected: boolean };
  const end = Date.now() + 10_000;
  while (st.connected || st.backlog === 0) {
    if (Date.now() > end) throw new Error(`link still reported up: ${JSON.stringify(st)}`);
    await new Promise((r) => setTimeout(r, 100));
    st = (await c.request('sync.status')) as { backlog: number; connected: boolean };
  }
  assert.is(st.connected, false);
  assert.ok(st.backlog >= 1, 'the maintenance actions journalled since wait in the outbox');
});

t.run();
