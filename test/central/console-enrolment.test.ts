import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import * as assert from 'uvu/assert';
import { startCentral, type CentralHandle } from '../../central/central.ts';
import { setUser } from '../../central/console/users.ts';
import { SimGate } from '../../central/sim/sim-gate.ts';
import { SystemClock } from '../../kiosk/clock.ts';
import { templateToBytes } from '../../kiosk/enrolment/sealed.ts';
import { silentLogger } from '../../kiosk/log.ts';
import { CHROMIUM, launchChromium } from '../display/browser.ts';
import { peerSuite } from '../helpers/suite.ts';
import { consoleLogin } from './console-login.ts';
import { waitFor } from '../sync/broker.ts';
import { CentralWorld, PG_CTL } from './world.ts';

interface Ctx {
  w: CentralWorld;
  central: CentralHandle;
  browser: Browser;
  gate: SimGate;
}

const t = peerSuite<Ctx>('central: enrolment changes from the officers\' console', ['mosquitto', 'mosquitto_pub', CHROMIUM, PG_CTL]);
const PASSWORD = 'correct horse battery';
const CHEAP = { N: 2 ** 10, r: 8, p: 1 };
/** A pseudonymous subject reference: what the console names a resident by. */
const SUB = 'R0042424';
const TEMPLATE = templateToBytes(new Float32Array(512).fill(0.02)).toString('base64');

t.before(async (ctx) => {
  ctx.w = await CentralWorld.start();
  const users = ctx.w.config().console.usersPath;
  for (const [u, role] of [['officer1', 'officer'], ['sup1', 'supervisor'], ['sup2', 'supervisor']] as const) await setUser(users, u, role, PASSWORD, CHEAP);
  ctx.central = await startCentral(ctx.w.config({ gapGraceMs: 60_000 }), silentLogger());
  ctx.browser = await launchChromium();
  const g = new SimGate({ dir: join(ctx.w.dir, 'LMC-A-01'), site: 'LMC', gate: 'LMC-A-01', url: ctx.w.broker.url, clock: new SystemClock(), log: silentLogger(), centralKeyPem: ctx.w.centralPublicPem, sync: { commandWindowS: 120 }, profile: 'express' });
  ctx.gate = g;
  g.start();
  await waitFor('gate known centrally', async () => ((await ctx.w.pool.query("SELECT 1 FROM gates WHERE gate = 'LMC-A-01'")).rowCount ?? 0) > 0, 30_000);
  // enrolment commands travel sealed to the gate's own key, registered as in console.test.ts
  await ctx.w.pool.query("INSERT INTO gate_keys (gate, kid, pem, added_by) VALUES ('LMC-A-01', 'command', $1, 'test')", [g.commandKey.publicKey.export({ type: 'spki', format: 'pem' })]);
  g.references.upsert(SUB, new Float32Array(512).fill(0.01), { source: 'test' });
});

t.after(async (ctx) => {
  await ctx.browser?.close();
  await ctx.gate?.stop().catch(() => {});
  await ctx.central?.stop();
  await ctx.w?.close();
});

async function login(ctx: Ctx, user: string): Promise<Page> {
  return consoleLogin(ctx.browser, ctx.central.console.url, user, PASSWORD);
}

/** The command the enrolment form just sent (the page keeps its id beside the answer). */
const sent = (page: Page): Promise<string> => page.getAttribute('#enrol-msg', 'data-command').then((x) => x!);

t('a supervisor removes an enrolment by its reference; the gate applies it and the console shows it applied', async (ctx) => {
  assert.ok(ctx.gate.references.has(SUB));
  const page = await login(ctx, 'sup1');
  await page.fill('#enrol-sub', SUB);
  await page.fill('#enrol-target', 'LMC-A-01');
  await page.click('#enrol-remove');
  await page.waitForSelector('#enrol-msg:text("published")', { timeout: 15_000 });
  await waitFor('gate removed the reference', () => !ctx.gate.references.has(SUB), 15_000);
  const id = await sent(page);
  await page.waitForSelector(`#commands tr[data-command="${id}"] .applied:text("1/1")`, { timeout: 15_000 });
  const a = await ctx.w.pool.query<{ actor: string; detail: Record<string, unknown> }>("SELECT actor, detail FROM audit WHERE action = 'command_requested'");
  assert.is(a.rows[0]?.actor, 'sup1');
  assert.is(a.rows[0]?.detail.type, 'delete_enrolments');
  assert.not.ok(JSON.stringify(a.rows).includes(SUB), 'the audit names the command, not the subject');
  await page.close();
});

t('restoring it waits for a second supervisor; then the gate has it again', async (ctx) => {
  const asker = await login(ctx, 'sup1');
  await asker.fill('#enrol-sub', SUB);
  await asker.fill('#enrol-target', 'LMC-A-01');
  await asker.fill('#enrol-template', TEMPLATE);
  await asker.click('#enrol-restore');
  await asker.waitForSelector('#enrol-msg:text("awaiting_approval")', { timeout: 15_000 });
  const id = await sent(asker);
  await asker.waitForSelector(`#commands tr[data-command="${id}"] .state:text("awaiting_approval")`, { timeout: 15_000 });
  assert.is(await asker.locator('#commands .approve').count(), 0, 'the asker cannot approve');
  assert.not.ok(ctx.gate.references.has(SUB), 'nothing applied before approval');
  const approver = await login(ctx, 'sup2');
  await approver.click(`#commands tr[data-command="${id}"] .approve`);
  await waitFor('gate restored the reference', () => ctx.gate.references.has(SUB), 15_000);
  await approver.waitForSelector(`#commands tr[data-command="${id}"] .applied:text("1/1")`, { timeout: 15_000 });
  // dropped right after publishing, which may finish a moment after the gate's answer arrives
  const kept = async (): Promise<string> => JSON.stringify((await ctx.w.pool.query<{ args: unknown }>('SELECT args FROM commands WHERE id = $1', [id])).rows[0]?.args);
  await waitFor('template not kept once sent', async () => (await kept()) === JSON.stringify({ references: [{ sub: SUB }] }), 15_000);
  const trail = await ctx.w.pool.query<{ action: string; actor: string }>("SELECT action, actor FROM audit WHERE action LIKE 'command_%' AND detail->>'id' = $1 ORDER BY id", [id]);
  assert.equal(trail.rows.map((r) => `${r.action}:${r.actor}`), ['command_requested:sup1', 'command_approved:sup2', 'command_published:sup2']);
  await asker.close();
  await approver.close();
});

t('an officer sees no enrolment form and may neither remove nor restore', async (ctx) => {
  const page = await login(ctx, 'officer1');
  assert.ok(await page.isHidden('#enrol-form'));
  const send = (type: string, args: unknown): Promise<number> =>
    page.evaluate(
      async ([ty, ar]) => (await fetch('/api/commands', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ type: ty, target: 'LMC-A-01', args: ar }) })).status,
      [type, args] as const,
    );
  assert.is(await send('delete_enrolments', { subs: [SUB] }), 403);
  assert.is(await send('upsert_enrolments', { references: [{ sub: SUB, template: TEMPLATE }] }), 403);
  assert.ok(ctx.gate.references.has(SUB), 'still enrolled');
  await page.close();
});

t.run();
