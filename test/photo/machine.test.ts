import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createActor, SimulatedClock } from 'xstate';
import { photoMachine, type PhotoEvent, type PhotoOutcome, type PhotoTimings } from '../../kiosk/photo/machine.ts';
import { photoOutputs } from '../../kiosk/photo/outputs.ts';
import { RULES } from '../../kiosk/portrait/rules.ts';

const timings: PhotoTimings = { promptTimeoutMs: 60_000, scanBudgetMs: 45_000, checkBudgetMs: 10_000, faceBudgetMs: 20_000, resultDisplayMs: 8_000, maxScanAttempts: 3, maxFaceAttempts: 3 };
const wording = (rule: string) => RULES.find((r) => r.id === rule)?.failing({} as never);

function start() {
  const clock = new SimulatedClock();
  const actor = createActor(photoMachine, { input: { timings }, clock }).start();
  const send = (...events: PhotoEvent[]): void => { for (const e of events) actor.send(e); };
  const out = () => photoOutputs(actor.getSnapshot(), (r) => (r === 'roll' ? { en: 'Your head is tilted', zhHant: '頭部傾側', zhHans: '头部倾侧' } : wording(r)));
  return { actor, clock, send, out, state: () => String(actor.getSnapshot().value), outcome: () => actor.getSnapshot().context.outcome as PhotoOutcome | null };
}

const t = suite('photo kiosk statechart: every outcome, outputs a pure function of the state');

t('compliant photo of the applicant: accepted, awaiting payment; each state names its task', () => {
  const k = start();
  assert.equal([k.state(), k.out().task], ['idle', null]);
  k.send({ type: 'START' });
  assert.is(k.out().screen.id, 'place_photo');
  k.send({ type: 'SCAN' });
  assert.equal([k.state(), k.out().task], ['scanning', 'scan']);
  k.send({ type: 'SCANNED' });
  assert.equal([k.state(), k.out().task], ['checking_photo', 'check_photo']);
  k.send({ type: 'PHOTO_CHECKED', compliant: true, failing: [] });
  assert.equal([k.state(), k.out().task], ['look_at_camera', 'verify_live']);
  k.send({ type: 'LIVE_VERIFIED', decision: 'match', score: 0.71 });
  assert.equal([k.state(), k.out().task, k.outcome()], ['choose_payment', null, null]);
  assert.ok(k.out().photoAccepted);
  assert.is(k.out().screen.text.en, 'Your photo is accepted — please pay the fee');
  assert.is(k.actor.getSnapshot().context.score, 0.71);
  k.send({ type: 'PAY', method: 'fps' });
  assert.equal([k.state(), k.out().task, k.out().screen.id], ['paying', 'pay', 'paying']);
  k.send({ type: 'PAYMENT_SCREEN', screen: 'show_qr' });
  assert.is(k.out().screen.id, 'show_qr');
  k.send({ type: 'PAYMENT_ENDED', end: 'paid' });
  assert.equal([k.state(), k.out().task], ['printing', 'print']);
  k.send({ type: 'PRINTED', ok: true });
  assert.is(k.outcome(), 'PAID');
  assert.is(k.out().screen.hint!.en, 'Please take your receipt');
  k.clock.increment(timings.resultDisplayMs);
  assert.is(k.state(), 'idle');
  assert.is(k.outcome(), null);
});

t('non-compliant photo: the reasons in words, and the counter offered, in three languages', () => {
  const k = start();
  k.send({ type: 'START' }, { type: 'SCAN' }, { type: 'SCANNED' }, { type: 'PHOTO_CHECKED', compliant: false, failing: ['roll', 'sharpness'] });
  assert.is(k.outcome(), 'PHOTO_NOT_COMPLIANT');
  const o = k.out();
  assert.not.ok(o.photoAccepted);
  assert.is(o.task, null);
  assert.is(o.screen.hint!.en, 'Your head is tilted. The photo is blurred. You can have your photo taken at the counter');
  assert.ok(o.screen.hint!.zhHant.includes('頭部傾側') && o.screen.hint!.zhHant.includes('櫃檯'));
  assert.ok(o.screen.hint!.zhHans.includes('头部倾侧') && o.screen.hint!.zhHans.includes('柜台'));
});

t('the live face: someone else, a spoof, or no usable face after the retries', () => {
  const to = (...live: PhotoEvent[]): PhotoOutcome | null => {
    const k = start();
    k.send({ type: 'START' }, { type: 'SCAN' }, { type: 'SCANNED' }, { type: 'PHOTO_CHECKED', compliant: true, failing: [] }, ...live);
    // Only a match accepts the photo.
    assert.is(k.out().photoAccepted, k.state() === 'choose_payment');
    return k.state() === 'choose_payment' ? 'PAID' : k.outcome();
  };
  assert.is(to({ type: 'LIVE_VERIFIED', decision: 'no_match', score: 0.12 }), 'PHOTO_NOT_APPLICANT');
  assert.is(to({ type: 'LIVE_VERIFIED', decision: 'spoof', score: null }), 'LIVENESS_FAILED');
  const poor = { type: 'LIVE_VERIFIED', decision: 'poor_quality', score: null } as const;
  assert.is(to(poor, poor), null); // still looking: two of three attempts
  assert.is(to(poor, poor, poor), 'NO_LIVE_FACE');
  assert.is(to(poor, { type: 'LIVE_VERIFIED', decision: 'match', score: 0.6 }), 'PAID');
});

t('scan problems: a hint and another try, then SCAN_FAILED; a hung scan times out', () => {
  const k = start();
  k.send({ type: 'START' }, { type: 'SCAN' }, { type: 'SCAN_FAILED', code: 'NO_PRINT' });
  assert.is(k.state(), 'place_photo');
  assert.is(k.out().screen.hint!.en, 'No photo was found — place it face down on the glass');
  k.send({ type: 'SCAN' });
  k.clock.increment(timings.scanBudgetMs);
  assert.is(k.state(), 'place_photo');
  assert.is(k.out().screen.hint!.en, 'The scan did not work — please try again');
  k.send({ type: 'SCAN' }, { type: 'SCAN_FAILED', code: 'SCANNER_UNAVAILABLE' });
  assert.is(k.outcome(), 'SCAN_FAILED');
  assert.is(k.out().screen.hint!.en, 'You can have your photo taken at the counter');
});

t('timeouts: an applicant who walks away, a check or a camera that never answers', () => {
  const k = start();
  k.send({ type: 'START' });
  k.clock.increment(timings.promptTimeoutMs);
  assert.is(k.outcome(), 'ABANDONED');
  const c = start();
  c.send({ type: 'START' }, { type: 'SCAN' }, { type: 'SCANNED' });
  c.clock.increment(timings.checkBudgetMs);
  assert.is(c.outcome(), 'SCAN_FAILED');
  const f = start();
  f.send({ type: 'START' }, { type: 'SCAN' }, { type: 'SCANNED' }, { type: 'PHOTO_CHECKED', compliant: true, failing: [] });
  f.clock.increment(timings.faceBudgetMs - 1);
  assert.is(f.state(), 'look_at_camera');
  f.clock.increment(1);
  assert.is(f.outcome(), 'NO_LIVE_FACE');
  const x = start();
  x.send({ type: 'START' }, { type: 'CANCEL' });
  assert.is(x.outcome(), 'ABANDONED');
});

t('payment ends other than paid: not charged (or refund), the counter to pay; no receipt; a walk-away before paying', () => {
  const paying = () => {
    const k = start();
    k.send({ type: 'START' }, { type: 'SCAN' }, { type: 'SCANNED' }, { type: 'PHOTO_CHECKED', compliant: true, failing: [] }, { type: 'LIVE_VERIFIED', decision: 'match', score: 0.7 });
    return k;
  };
  for (const [end, outcome] of [['declined', 'PAYMENT_DECLINED'], ['timed_out', 'PAYMENT_TIMED_OUT'], ['cancelled', 'PAYMENT_CANCELLED'], ['failed', 'PAYMENT_FAILED']] as const) {
    const k = paying();
    k.send({ type: 'PAY', method: 'octopus' }, { type: 'PAYMENT_ENDED', end });
    assert.is(k.outcome(), outcome);
    assert.not.ok(k.out().photoAccepted);
    assert.ok(k.out().screen.hint!.en.startsWith('You have not been charged'), end);
  }
  const r = paying();
  r.send({ type: 'PAY', method: 'fps' }, { type: 'PAYMENT_ENDED', end: 'refund_due' });
  assert.is(r.outcome(), 'PAYMENT_REFUND_DUE');
  assert.ok(r.out().screen.hint!.en.includes('refunded'));
  const p = paying();
  p.send({ type: 'PAY', method: 'fps' }, { type: 'PAYMENT_ENDED', end: 'paid' }, { type: 'PRINTED', ok: false });
  assert.is(p.outcome(), 'PAID');
  assert.ok(p.out().screen.hint!.en.startsWith('The receipt could not be printed'));
  const w = paying();
  w.clock.increment(timings.promptTimeoutMs);
  assert.is(w.outcome(), 'ABANDONED');
  const c = paying();
  c.send({ type: 'CANCEL' });
  assert.is(c.outcome(), 'PAYMENT_CANCELLED');
});

t('events out of place change nothing (a late LIVE_VERIFIED cannot accept a photo)', () => {
  const k = start();
  k.send({ type: 'LIVE_VERIFIED', decision: 'match', score: 0.9 }, { type: 'SCANNED' }, { type: 'PHOTO_CHECKED', compliant: true, failing: [] });
  assert.is(k.state(), 'idle');
  k.send({ type: 'START' }, { type: 'SCAN' }, { type: 'SCANNED' }, { type: 'PHOTO_CHECKED', compliant: false, failing: ['colour'] });
  k.send({ type: 'LIVE_VERIFIED', decision: 'match', score: 0.9 });
  assert.is(k.outcome(), 'PHOTO_NOT_COMPLIANT');
  assert.not.ok(k.out().photoAccepted);
});

t.run();
