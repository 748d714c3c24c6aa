import * as assert from 'uvu/assert';
import type { SimulatedClock } from '../../kiosk/clock.ts';
import { errorCode } from '../../kiosk/errors.ts';
import type { SimulatedAcquirer } from '../../drivers/payment/acquirer-sim.ts';
import type { ChargeNotice, PaymentGateway } from '../../drivers/payment/gateway-interface.ts';
import { peerSuite } from '../helpers/suite.ts';

/** What the contract needs from each implementation to drive it. */
export interface GatewayHarness {
  gateway: PaymentGateway;
  acquirer: SimulatedAcquirer;
  clock: SimulatedClock;
  requestTimeoutMs: number;
  /** The line to the acquirer: answers normally, hangs, or acts and loses the answer. */
  line(mode: 'normal' | 'hang' | 'lose_answer'): void;
  /** Lets time and I/O move on one step (twin: clock + microtasks; HTTP: clock + a real tick). */
  pump(): Promise<void>;
  close(): Promise<void>;
}

const REAL_GUARD_MS = 15_000;

/** Pumps until `done()` holds, with a real-time guard so a broken driver fails instead of hanging. */
export async function until(h: GatewayHarness, done: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + REAL_GUARD_MS;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`gateway: ${what} did not happen within the real-time guard`);
    await h.pump();
  }
}

async function settle<T>(h: GatewayHarness, p: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; err: unknown }> {
  let out: { ok: true; value: T } | { ok: false; err: unknown } | undefined;
  p.then((value) => (out = { ok: true, value }), (err: unknown) => (out = { ok: false, err }));
  await until(h, () => out !== undefined, 'request settling');
  return out!;
}

async function ok<T>(h: GatewayHarness, p: Promise<T>): Promise<T> {
  const r = await settle(h, p);
  if (!r.ok) throw r.err;
  return r.value;
}

async function failure(h: GatewayHarness, p: Promise<unknown>): Promise<string> {
  const r = await settle(h, p);
  assert.not.ok(r.ok, 'expected a rejection');
  return errorCode((r as { err: unknown }).err);
}

const req = (key: string, amountCents = 45_000) => ({ key, amountCents, billNumber: `PA-${key}` });

/** One suite, run on the HTTP driver (against the acquirer peer) and on the twin. */
export function gatewayContract(name: string, make: () => Promise<GatewayHarness>): void {
  const t = peerSuite<{ h: GatewayHarness; notices: ChargeNotice[] }>(`payment gateway contract: ${name}`, []);
  t.before.each(async (ctx) => {
    ctx.h = await make();
    ctx.notices = [];
    ctx.h.gateway.on('notice', (n) => ctx.notices.push(n));
  });
  t.after.each(async (ctx) => {
    await ctx.h.close();
  });

  t('not started: every call rejects with GATEWAY_STOPPED', async ({ h }) => {
    await h.gateway.stop();
    assert.is(await failure(h, h.gateway.openCharge(req('k1'))), 'GATEWAY_STOPPED');
    assert.is(await failure(h, h.gateway.charge('k1')), 'GATEWAY_STOPPED');
  });

  t('openCharge is idempotent by key; another amount under the same key is GATEWAY_CONFLICT', async ({ h }) => {
    const a = await ok(h, h.gateway.openCharge(req('k1')));
    assert.equal(a, { key: 'k1', amountCents: 45_000, billNumber: 'PA-k1', state: 'open', acquirerRef: null });
    assert.equal(await ok(h, h.gateway.openCharge(req('k1'))), a);
    assert.is(h.acquirer.opened, 1);
    assert.is(await failure(h, h.gateway.openCharge(req('k1', 45_001))), 'GATEWAY_CONFLICT');
    assert.is(await failure(h, h.gateway.charge('nope')), 'GATEWAY_UNKNOWN_CHARGE');
  });

  t('paid: one notice, the charge reads paid, a second payment is refused and debits stay 1', async ({ h, notices }) => {
    await ok(h, h.gateway.openCharge(req('k2')));
    assert.ok(h.acquirer.pay('k2'));
    await until(h, () => notices.length === 1, 'paid notice');
    assert.is(notices[0]!.state, 'paid');
    assert.match(notices[0]!.acquirerRef ?? '', /^FPS\d{8}$/);
    assert.is((await ok(h, h.gateway.charge('k2'))).state, 'paid');
    assert.not.ok(h.acquirer.pay('k2'));
    assert.is((await ok(h, h.gateway.openCharge(req('k2')))).state, 'paid');
    assert.is(h.acquirer.debits('k2'), 1);
  });

  t('declined: a declined notice, no debit', async ({ h, notices }) => {
    h.acquirer.payer = () => 'decline';
    await ok(h, h.gateway.openCharge(req('k3')));
    await until(h, () => notices.length === 1, 'declined notice');
    assert.is(notices[0]!.state, 'declined');
    assert.is(h.acquirer.debits('k3'), 0);
  });

  t('duplicate notification: the same notice id arrives twice, one debit', async ({ h, notices }) => {
    h.acquirer.payer = () => 'duplicate';
    await ok(h, h.gateway.openCharge(req('k4')));
    await until(h, () => notices.length === 2, 'duplicate notices');
    assert.is(notices[0]!.noticeId, notices[1]!.noticeId);
    assert.is(h.acquirer.debits('k4'), 1);
  });

  t('late notification after cancel: cancel answers cancelled, then a paid notice arrives', async ({ h, notices }) => {
    h.acquirer.payer = () => 'late';
    await ok(h, h.gateway.openCharge(req('k5')));
    assert.is((await ok(h, h.gateway.cancel('k5'))).state, 'cancelled');
    await until(h, () => notices.length === 1, 'late paid notice');
    assert.is(notices[0]!.state, 'paid');
    assert.is((await ok(h, h.gateway.charge('k5'))).state, 'paid');
    assert.is((await ok(h, h.gateway.cancel('k5'))).state, 'paid', 'cancelling a paid charge leaves it paid');
  });

  t('timeout: a hung line rejects with GATEWAY_TIMEOUT after the request timeout, not before', async ({ h }) => {
    h.line('hang');
    let code: string | undefined;
    h.gateway.openCharge(req('k6')).catch((err: unknown) => (code = errorCode(err)));
    for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 5));
    h.clock.advance(h.requestTimeoutMs - 1);
    for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 5));
    assert.is(code, undefined, 'timed out early');
    h.clock.advance(1);
    await until(h, () => code !== undefined, 'timeout');
    assert.is(code, 'GATEWAY_TIMEOUT');
  });

  t('a lost answer, retried with the same key, leaves one charge', async ({ h }) => {
    h.line('lose_answer');
    const first = h.gateway.openCharge(req('k7'));
    first.catch(() => {});
    // the acquirer must have acted on it before the answer is given up for lost
    const deadline = Date.now() + REAL_GUARD_MS;
    while (h.acquirer.opened === 0) {
      if (Date.now() > deadline) throw new Error('gateway: the request never reached the acquirer');
      await new Promise((r) => setTimeout(r, 5));
    }
    h.clock.advance(h.requestTimeoutMs);
    assert.is(await failure(h, first), 'GATEWAY_TIMEOUT');
    h.line('normal');
    assert.is((await ok(h, h.gateway.openCharge(req('k7')))).state, 'open');
    assert.is(h.acquirer.opened, 1);
  });

  t('stop during a hung request rejects it with GATEWAY_STOPPED', async ({ h }) => {
    h.line('hang');
    let code: string | undefined;
    h.gateway.charge('k8').catch((err: unknown) => (code = errorCode(err)));
    await new Promise((r) => setTimeout(r, 20));
    await h.gateway.stop();
    await until(h, () => code !== undefined, 'rejection after stop');
    assert.is(code, 'GATEWAY_STOPPED');
  });

  t.run();
}
