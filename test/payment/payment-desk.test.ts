import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { SimulatedAcquirer, type PayerBehaviour } from '../../drivers/payment/acquirer-sim.ts';
import { SimulatedGateway } from '../../drivers/payment/gateway-twin.ts';
import type { Journal } from '../../kiosk/journal/journal.ts';
import { errorCode } from '../../kiosk/errors.ts';
import { decodeFpsQr } from '../../kiosk/payment/fps-qr.ts';
import { PaymentDesk, type FpsOutcome } from '../../kiosk/payment/payment-desk.ts';
import type { PaymentScreen } from '../../kiosk/payment/payment-screen.ts';
import { PaymentStore } from '../../kiosk/payment/payment-store.ts';
import { journalFixture, type JournalFixture } from '../journal/helpers.ts';

interface Ctx {
  fx: JournalFixture;
  journal: Journal;
  store: PaymentStore;
  acq: SimulatedAcquirer;
  gw: SimulatedGateway;
  desk: PaymentDesk;
}

const BUDGET = 120_000;
const merchant = { proxy: { kind: 'fps_id' as const, value: '123456789' }, mcc: '9399', merchantName: 'IMMD', merchantCity: 'HONG KONG' };
const t = suite<Ctx>('payment desk (twin acquirer, real journal and store)');

t.before.each(async (ctx) => {
  ctx.fx = journalFixture();
  ctx.journal = ctx.fx.open();
  ctx.store = new PaymentStore(join(ctx.fx.dir, 'payments.sqlite'));
  ctx.acq = new SimulatedAcquirer(ctx.fx.clock);
  ctx.gw = new SimulatedGateway(ctx.acq, { clock: ctx.fx.clock, requestTimeoutMs: 10_000, noticeDelayMs: 300 });
  ctx.desk = new PaymentDesk({ store: ctx.store, gateway: ctx.gw, journal: ctx.journal, clock: ctx.fx.clock, merchant, budgetMs: BUDGET, retryMs: 2_000 });
  await ctx.desk.start();
});
t.after.each(async (ctx) => {
  await ctx.desk.stop();
  ctx.store.close();
  ctx.journal.close();
  ctx.fx.cleanup();
});

/** Advances the simulated clock in steps until the payment settles (bounded in simulated time). */
async function run(ctx: Ctx, p: Promise<FpsOutcome>, limitMs = 10 * BUDGET): Promise<FpsOutcome> {
  let out: FpsOutcome | undefined;
  let err: unknown;
  p.then((o) => (out = o), (e: unknown) => (err = e));
  for (let ms = 0; out === undefined && err === undefined && ms <= limitMs; ms += 100) {
    await new Promise((r) => setImmediate(r));
    ctx.fx.clock.advance(100);
  }
  if (err) throw err;
  if (!out) throw new Error('payment did not settle within the simulated limit');
  return out;
}

async function idle(ctx: Ctx, ms: number): Promise<void> {
  for (let i = 0; i < ms; i += 100) {
    await new Promise((r) => setImmediate(r));
    ctx.fx.clock.advance(100);
  }
}

function paymentEvents(ctx: Ctx, application: string): string[] {
  return ctx.journal
    .readAfter(0, 1000)
    .filter((e) => e.type === 'payment_state' && (e.data as { application: string }).application === application)
    .map((e) => (e.data as { state: string }).state);
}

function pay(ctx: Ctx, app: string, behaviour: PayerBehaviour, screens: PaymentScreen[] = []): Promise<FpsOutcome> {
  ctx.acq.payer = () => behaviour;
  return ctx.desk.payByFps(app, 45_000, (s) => screens.push(s));
}

t('paid: the code shown names the amount and bill, every state is journalled, one debit', async (ctx) => {
  const screens: PaymentScreen[] = [];
  let qr = '';
  ctx.acq.payer = () => 'pay';
  const out = await run(ctx, ctx.desk.payByFps('PA0001', 45_000, (s, q) => (screens.push(s), (qr = q))));
  assert.is(out.state, 'paid');
  assert.match(out.attempt.acquirerRef ?? '', /^FPS/);
  const code = decodeFpsQr(qr);
  assert.is(code.amountCents, 45_000);
  assert.is(code.billNumber, 'PA0001-1');
  assert.equal(screens.map((s) => s.screen), ['working', 'show_qr', 'paid']);
  assert.equal(paymentEvents(ctx, 'PA0001'), ['created', 'open', 'paid']);
  assert.is(ctx.acq.debitsForBill('PA0001-1'), 1);
  assert.is(errorCode(await ctx.desk.payByFps('PA0001', 45_000).catch((e: unknown) => e)), 'PAYMENT_ALREADY_PAID');
});

t('declined: unpaid, not charged, a new attempt may follow with a new key', async (ctx) => {
  const out = await run(ctx, pay(ctx, 'PA0002', 'decline'));
  assert.is(out.state, 'declined');
  assert.match(out.screen.en, /not been charged/);
  const again = await run(ctx, pay(ctx, 'PA0002', 'pay'));
  assert.is(again.state, 'paid');
  assert.is(again.attempt.attempt, 2);
  assert.is.not(again.attempt.key, out.attempt.key);
  assert.equal(paymentEvents(ctx, 'PA0002'), ['created', 'open', 'declined', 'created', 'open', 'paid']);
});

t('timeout: no payment within the budget → cancelled at the acquirer, application unpaid and told so', async (ctx) => {
  const out = await run(ctx, pay(ctx, 'PA0003', 'silent'));
  assert.is(out.state, 'timed_out');
  assert.is(out.screen.screen, 'not_paid');
  assert.match(out.screen.en, /not been charged; the fee is unpaid/);
  assert.is(ctx.acq.charge(out.attempt.key).state, 'cancelled');
  assert.not.ok(ctx.store.isPaid('PA0003'));
  assert.equal(paymentEvents(ctx, 'PA0003'), ['created', 'open', 'cancelling', 'timed_out']);
});

t('duplicate notification: paid once, journalled once', async (ctx) => {
  const out = await run(ctx, pay(ctx, 'PA0004', 'duplicate'));
  assert.is(out.state, 'paid');
  await idle(ctx, 5_000);
  assert.equal(paymentEvents(ctx, 'PA0004'), ['created', 'open', 'paid']);
  assert.is(ctx.acq.debits(out.attempt.key), 1);
});

t('late notification after cancel: timed out first, then the money → refund_due, journalled', async (ctx) => {
  const out = await run(ctx, pay(ctx, 'PA0005', 'late'));
  assert.is(out.state, 'timed_out');
  await idle(ctx, 5_000);
  assert.is(ctx.store.byKey(out.attempt.key)!.state, 'refund_due');
  assert.equal(paymentEvents(ctx, 'PA0005'), ['created', 'open', 'cancelling', 'timed_out', 'refund_due']);
  const last = ctx.journal.readAfter(0, 1000).filter((e) => e.type === 'payment_state').pop()!;
  assert.is((last.data as { reason: string }).reason, 'paid_after_close');
  assert.match((last.data as { acquirer_ref: string }).acquirer_ref, /^FPS/);
});

t('the applicant cancels: cancelled, not charged', async (ctx) => {
  const p = pay(ctx, 'PA0006', 'manual');
  await idle(ctx, 500);
  ctx.desk.cancel('PA0006');
  const out = await run(ctx, p);
  assert.is(out.state, 'cancelled');
  assert.equal(paymentEvents(ctx, 'PA0006'), ['created', 'open', 'cancelling', 'cancelled']);
});

t('a lost answer and an unreachable acquirer are retried with the same key: one charge', async (ctx) => {
  ctx.gw.fault = 'lose_answer';
  const p = pay(ctx, 'PA0007', 'manual');
  await idle(ctx, 10_500);
  ctx.gw.fault = 'unreachable';
  await idle(ctx, 4_000);
  ctx.gw.fault = 'none';
  await idle(ctx, 3_000);
  const [key] = ctx.store.list('PA0007').map((a) => a.key);
  assert.ok(ctx.acq.pay(key!));
  const out = await run(ctx, p);
  assert.is(out.state, 'paid');
  assert.is(ctx.acq.opened, 1);
  assert.is(ctx.store.list('PA0007').length, 1);
});

t('after a restart, an attempt left open past the budget is cancelled at the acquirer: timed out, unpaid', async (ctx) => {
  const stale = ctx.store.begin('PA0009', 'fps', 45_000, ctx.fx.clock.now());
  ctx.acq.open({ key: stale.key, amountCents: 45_000, billNumber: stale.bill });
  ctx.store.set(stale.key, 'open', ctx.fx.clock.now());
  const young = ctx.store.begin('PA0010', 'fps', 45_000, ctx.fx.clock.now() + BUDGET);
  ctx.fx.clock.setWallClock(ctx.fx.clock.now() + BUDGET + 1);
  let outs: FpsOutcome[] | undefined;
  void ctx.desk.recover().then((o) => (outs = o));
  await idle(ctx, 3_000);
  assert.equal(outs?.map((o) => [o.attempt.application, o.state]), [['PA0009', 'timed_out']]);
  assert.is(ctx.acq.charge(stale.key).state, 'cancelled');
  assert.equal(paymentEvents(ctx, 'PA0009'), ['cancelling', 'timed_out']);
  assert.is(ctx.store.byKey(young.key)!.state, 'created', 'a younger attempt waits for its applicant');
});

t('amounts are integer cents: a float or a negative fee is refused before anything is stored', async (ctx) => {
  for (const bad of [450.5, -1, 0, Number.NaN]) {
    assert.is(errorCode(await ctx.desk.payByFps('PA0008', bad).catch((e: unknown) => e)), 'PAYMENT_BAD_AMOUNT');
  }
  assert.equal(ctx.store.list('PA0008'), []);
});

t.run();
