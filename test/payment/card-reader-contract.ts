import * as assert from 'uvu/assert';
import type { SimulatedClock } from '../../kiosk/clock.ts';
import { errorCode } from '../../kiosk/errors.ts';
import type { CardDebitResult, CardPaymentReader } from '../../drivers/payment/card-payment-interface.ts';
import { peerSuite } from '../helpers/suite.ts';

/**
 * What the contract needs to drive a card-payment reader. Only the twin runs it today: the
 * Octopus reader protocol is licensed (docs/decisions.md); a licensed driver would add a
 * harness whose card controls are a robot arm or a person with test cards.
 */
export interface CardReaderHarness {
  reader: CardPaymentReader;
  clock: SimulatedClock;
  present(balanceCents: number, opts?: { blocked?: boolean }): void;
  remove(): void;
  tear(when: 'before' | 'after'): void;
  debits(key: string): number;
  close(): Promise<void>;
}

async function settle(h: CardReaderHarness, p: Promise<CardDebitResult>, stepMs = 100, maxMs = 120_000): Promise<CardDebitResult> {
  let out: CardDebitResult | undefined;
  let err: unknown;
  p.then((r) => (out = r), (e: unknown) => (err = e));
  for (let ms = 0; out === undefined && err === undefined && ms <= maxMs; ms += stepMs) {
    await new Promise((r) => setImmediate(r));
    h.clock.advance(stepMs);
  }
  if (err) throw err;
  if (!out) throw new Error('debit did not settle');
  return out;
}

export function cardReaderContract(name: string, make: () => Promise<CardReaderHarness>): void {
  const t = peerSuite<{ h: CardReaderHarness }>(`card payment reader contract: ${name}`, []);
  t.before.each(async (ctx) => {
    ctx.h = await make();
  });
  t.after.each(async (ctx) => {
    await ctx.h.close();
  });

  t('paid: the value is taken once and a receipt returned; the same key again returns that receipt', async ({ h }) => {
    h.present(10_000);
    const r = await settle(h, h.reader.debit({ key: 'k1', amountCents: 4_500 }, 30_000));
    assert.is(r.outcome, 'paid');
    const again = await settle(h, h.reader.debit({ key: 'k1', amountCents: 4_500 }, 30_000));
    assert.equal(again.outcome === 'paid' && again.receiptRef, r.outcome === 'paid' && r.receiptRef);
    assert.is(h.debits('k1'), 1);
    assert.equal(await h.reader.lookup('k1'), { outcome: 'paid', receiptRef: (r as { receiptRef: string }).receiptRef });
  });

  t('declined: insufficient value or a blocked card takes nothing', async ({ h }) => {
    h.present(100);
    assert.equal(await settle(h, h.reader.debit({ key: 'k2', amountCents: 4_500 }, 30_000)), { outcome: 'declined', reason: 'insufficient_value' });
    h.present(10_000, { blocked: true });
    assert.equal(await settle(h, h.reader.debit({ key: 'k2', amountCents: 4_500 }, 30_000)), { outcome: 'declined', reason: 'card_blocked' });
    assert.is(h.debits('k2'), 0);
  });

  t('no card within the wait: no_card, not before the wait ends; abort ends a wait the same way', async ({ h }) => {
    let r: CardDebitResult | undefined;
    void h.reader.debit({ key: 'k3', amountCents: 4_500 }, 30_000).then((x) => (r = x));
    h.clock.advance(29_999);
    await new Promise((res) => setImmediate(res));
    assert.is(r, undefined);
    h.clock.advance(1);
    await new Promise((res) => setImmediate(res));
    assert.equal(r, { outcome: 'no_card' });
    const p = h.reader.debit({ key: 'k3', amountCents: 4_500 }, 30_000);
    assert.is(errorCode(await h.reader.debit({ key: 'k4', amountCents: 1 }, 1_000).catch((e: unknown) => e)), 'CARD_READER_BUSY');
    h.reader.abort();
    assert.equal(await p, { outcome: 'no_card' });
  });

  t('a torn write after the value was taken: interrupted, and the retry with the same key reports it — one debit', async ({ h }) => {
    h.present(10_000);
    h.tear('after');
    assert.equal(await settle(h, h.reader.debit({ key: 'k5', amountCents: 4_500 }, 30_000)), { outcome: 'interrupted' });
    h.present(5_500);
    assert.is((await settle(h, h.reader.debit({ key: 'k5', amountCents: 4_500 }, 30_000))).outcome, 'paid');
    assert.is(h.debits('k5'), 1);
  });

  t('a torn write before the value was taken: interrupted, the retry takes it once', async ({ h }) => {
    h.present(10_000);
    h.tear('before');
    assert.equal(await settle(h, h.reader.debit({ key: 'k6', amountCents: 4_500 }, 30_000)), { outcome: 'interrupted' });
    assert.equal(await h.reader.lookup('k6'), { outcome: 'none' });
    h.present(10_000);
    assert.is((await settle(h, h.reader.debit({ key: 'k6', amountCents: 4_500 }, 30_000))).outcome, 'paid');
    assert.is(h.debits('k6'), 1);
  });

  t('stopped: debit rejects with CARD_READER_STOPPED', async ({ h }) => {
    await h.reader.stop();
    assert.is(errorCode(await h.reader.debit({ key: 'k7', amountCents: 1 }, 1_000).catch((e: unknown) => e)), 'CARD_READER_STOPPED');
  });

  t.run();
}
