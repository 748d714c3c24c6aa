import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { SimulatedOctopusReader } from '../../drivers/payment/octopus-twin.ts';
import type { Journal } from '../../kiosk/journal/journal.ts';
import { payByOctopus, type OctopusDeps, type OctopusOutcome } from '../../kiosk/payment/octopus-payment.ts';
import { PaymentStore } from '../../kiosk/payment/payment-store.ts';
import { journalFixture, type JournalFixture } from '../journal/helpers.ts';

interface Ctx {
  fx: JournalFixture;
  journal: Journal;
  store: PaymentStore;
  reader: SimulatedOctopusReader;
  deps: OctopusDeps;
}

const t = suite<Ctx>('Octopus payment (twin reader, real journal and store)');
t.before.each(async (ctx) => {
  ctx.fx = journalFixture();
  ctx.journal = ctx.fx.open();
  ctx.store = new PaymentStore(join(ctx.fx.dir, 'payments.sqlite'));
  ctx.reader = new SimulatedOctopusReader({ clock: ctx.fx.clock });
  await ctx.reader.start();
  ctx.deps = { store: ctx.store, journal: ctx.journal, clock: ctx.fx.clock, reader: ctx.reader, budgetMs: 60_000 };
});
t.after.each(async (ctx) => {
  await ctx.reader.stop();
  ctx.store.close();
  ctx.journal.close();
  ctx.fx.cleanup();
});

async function run(ctx: Ctx, p: Promise<OctopusOutcome>, during?: (ms: number) => void): Promise<OctopusOutcome> {
  let out: OctopusOutcome | undefined;
  let err: unknown;
  p.then((o) => (out = o), (e: unknown) => (err = e));
  for (let ms = 0; out === undefined && err === undefined && ms <= 300_000; ms += 100) {
    await new Promise((r) => setImmediate(r));
    during?.(ms);
    ctx.fx.clock.advance(100);
  }
  if (err) throw err;
  if (!out) throw new Error('payment did not settle');
  return out;
}

const states = (ctx: Ctx, app: string): string[] =>
  ctx.journal
    .readAfter(0, 1000)
    .filter((e) => e.type === 'payment_state' && (e.data as { application: string }).application === app)
    .map((e) => (e.data as { state: string }).state);

t('paid with a card: created, open, paid journalled; receipt kept', async (ctx) => {
  const out = await run(ctx, payByOctopus(ctx.deps, 'OC0001', 4_500), (ms) => ms === 1_000 && ctx.reader.present({ id: 'c1', balanceCents: 10_000 }));
  assert.is(out.state, 'paid');
  assert.match(out.attempt.acquirerRef ?? '', /^OCT/);
  assert.equal(states(ctx, 'OC0001'), ['created', 'open', 'paid']);
});

t('insufficient value: declined and not charged', async (ctx) => {
  ctx.reader.present({ id: 'c2', balanceCents: 100 });
  const out = await run(ctx, payByOctopus(ctx.deps, 'OC0002', 4_500));
  assert.is(out.state, 'declined');
  assert.equal(states(ctx, 'OC0002'), ['created', 'open', 'declined']);
});

t('no card within the budget: timed out, unpaid and told so', async (ctx) => {
  const out = await run(ctx, payByOctopus(ctx.deps, 'OC0003', 4_500));
  assert.is(out.state, 'timed_out');
  assert.match(out.screen.en, /not been charged/);
  assert.not.ok(ctx.store.isPaid('OC0003'));
});

t('a torn write after the value was taken, card presented again: paid once', async (ctx) => {
  ctx.reader.present({ id: 'c4', balanceCents: 10_000 });
  ctx.reader.tearNextWrite('after');
  const out = await run(ctx, payByOctopus(ctx.deps, 'OC0004', 4_500));
  assert.is(out.state, 'paid');
  assert.is(ctx.reader.debits(out.attempt.key), 1);
});

t('a torn write before the value was taken and the applicant walks away: timed out, nothing taken', async (ctx) => {
  ctx.reader.present({ id: 'c5', balanceCents: 10_000 });
  ctx.reader.tearNextWrite('before');
  const out = await run(ctx, payByOctopus(ctx.deps, 'OC0005', 4_500));
  assert.is(out.state, 'timed_out');
  assert.is(ctx.reader.debits(out.attempt.key), 0);
  assert.equal(states(ctx, 'OC0005'), ['created', 'open', 'timed_out']);
  const last = ctx.journal.readAfter(0, 1000).filter((e) => e.type === 'payment_state').pop()!;
  assert.is((last.data as { reason: string }).reason, 'interrupted');
});

t('after a restart mid-payment the same key is used and a debit already made is found', async (ctx) => {
  const first = ctx.store.begin('OC0006', 'octopus', 4_500, ctx.fx.clock.now());
  ctx.reader.present({ id: 'c6', balanceCents: 10_000 });
  await run(ctx, ctx.reader.debit({ key: first.key, amountCents: 4_500 }, 10_000) as never);
  // the kiosk died before it recorded the debit; the applicant tries again
  const out = await run(ctx, payByOctopus(ctx.deps, 'OC0006', 4_500));
  assert.is(out.state, 'paid');
  assert.is(out.attempt.key, first.key);
  assert.is(ctx.reader.debits(first.key), 1);
});

t.run();
