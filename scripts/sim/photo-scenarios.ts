import { readFileSync } from 'node:fs';
import { SimulatedClock } from '../../core/clock.ts';
import type { PayerBehaviour } from '../../drivers/payment/acquirer-sim.ts';
import type { FaceEngine } from '../../kiosk/biometrics/index.ts';
import { errorCode } from '../../kiosk/errors.ts';
import { encode, makeBase, makeVariant, type Base, type Variant } from '../portrait-set.ts';
import type { PhotoWorld } from './photo-world.ts';

const FIXTURES = new URL('../../fixtures/faces/', import.meta.url).pathname;

/** What the applicant brings and does, and what the kiosk must end with. */
export interface PhotoScenario {
  name: string;
  /** The print: the applicant's own compliant photo or one broken variant of it. */
  print: Variant;
  /** Who stands at the camera: the applicant, someone else, or a replay of the applicant on a screen. */
  live: 'applicant' | 'other' | 'spoof';
  pay?: { method: 'fps' | 'octopus'; payer: 'pay' | 'decline' | 'silent' | 'duplicate' | 'cancel' | 'restart_paid' | 'restart_unpaid' };
  expect: { outcome: string; failing?: string[]; charges: number; payment?: string };
}

export const PHOTO_SCENARIOS: PhotoScenario[] = [
  { name: 'compliant, paid by FPS', print: 'compliant', live: 'applicant', pay: { method: 'fps', payer: 'pay' }, expect: { outcome: 'PAID', charges: 1, payment: 'paid' } },
  { name: 'compliant, paid by Octopus', print: 'compliant', live: 'applicant', pay: { method: 'octopus', payer: 'pay' }, expect: { outcome: 'PAID', charges: 1, payment: 'paid' } },
  { name: 'tilted head', print: 'tilted', live: 'applicant', expect: { outcome: 'PHOTO_NOT_COMPLIANT', failing: ['roll'], charges: 0 } },
  { name: 'too dark', print: 'dark', live: 'applicant', expect: { outcome: 'PHOTO_NOT_COMPLIANT', failing: ['exposure'], charges: 0 } },
  { name: 'blurred', print: 'blurred', live: 'applicant', expect: { outcome: 'PHOTO_NOT_COMPLIANT', failing: ['sharpness'], charges: 0 } },
  { name: 'busy background', print: 'busy-background', live: 'applicant', expect: { outcome: 'PHOTO_NOT_COMPLIANT', failing: ['backgroundUniform'], charges: 0 } },
  { name: 'cropped', print: 'cropped', live: 'applicant', expect: { outcome: 'PHOTO_NOT_COMPLIANT', failing: ['margins'], charges: 0 } },
  { name: 'two faces', print: 'two-faces', live: 'applicant', expect: { outcome: 'PHOTO_NOT_COMPLIANT', failing: ['oneFace'], charges: 0 } },
  { name: 'photo of someone else', print: 'compliant', live: 'other', expect: { outcome: 'PHOTO_NOT_APPLICANT', charges: 0 } },
  { name: 'applicant replayed on a screen', print: 'compliant', live: 'spoof', expect: { outcome: 'LIVENESS_FAILED', charges: 0 } },
  { name: 'FPS declined by the bank', print: 'compliant', live: 'applicant', pay: { method: 'fps', payer: 'decline' }, expect: { outcome: 'PAYMENT_DECLINED', charges: 0, payment: 'declined' } },
  { name: 'Octopus card without value', print: 'compliant', live: 'applicant', pay: { method: 'octopus', payer: 'decline' }, expect: { outcome: 'PAYMENT_DECLINED', charges: 0, payment: 'declined' } },
  { name: 'FPS never paid: timeout', print: 'compliant', live: 'applicant', pay: { method: 'fps', payer: 'silent' }, expect: { outcome: 'PAYMENT_TIMED_OUT', charges: 0, payment: 'timed_out' } },
  { name: 'FPS notice delivered twice', print: 'compliant', live: 'applicant', pay: { method: 'fps', payer: 'duplicate' }, expect: { outcome: 'PAID', charges: 1, payment: 'paid' } },
  { name: 'applicant cancels the FPS code', print: 'compliant', live: 'applicant', pay: { method: 'fps', payer: 'cancel' }, expect: { outcome: 'PAYMENT_CANCELLED', charges: 0, payment: 'cancelled' } },
  { name: 'restart mid-payment, paid meanwhile', print: 'compliant', live: 'applicant', pay: { method: 'fps', payer: 'restart_paid' }, expect: { outcome: 'RESTARTED', charges: 1, payment: 'paid' } },
  { name: 'restart mid-payment, not paid', print: 'compliant', live: 'applicant', pay: { method: 'fps', payer: 'restart_unpaid' }, expect: { outcome: 'RESTARTED', charges: 0, payment: 'timed_out' } },
];

/** The prints and faces the scenarios use, made once: person07's own photo reframed (and broken), person07's other photo live, person01 as someone else. */
export interface PhotoCast {
  prints: Map<Variant, Uint8Array>;
  applicant: Uint8Array;
  other: Uint8Array;
  spoof: Uint8Array;
}

const read = (f: string): Uint8Array => new Uint8Array(readFileSync(FIXTURES + f));

export async function makeCast(engine: FaceEngine, variants: readonly Variant[]): Promise<PhotoCast> {
  const base = (await makeBase(read('person07-30.jpg'), engine)) as Base;
  const other = (await makeBase(read('person01-2.jpg'), engine)) as Base;
  const prints = new Map<Variant, Uint8Array>();
  for (const v of new Set(variants)) prints.set(v, await encode(await makeVariant(base, v, other, 1)));
  return { prints, applicant: read('person07-29.jpg'), other: read('person01-1.jpg'), spoof: read('spoof-screen-person01-1.jpg') };
}

export interface PhotoRun {
  name: string;
  expected: string;
  got: string;
  failing: string[];
  charges: number;
  payment: string | null;
  /** Applicant-facing time from Start to the result screen, by the kiosk's clock (ms). */
  kioskMs: number;
  /** Compute time the run took on this machine (ms of wall clock). */
  wallMs: number;
  ok: boolean;
  why: string[];
}

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

/**
 * Plays one scenario: the world's clock moves only while the kiosk waits on a device or the
 * applicant (scanner, payer, card, printer, timeouts), never while the engine works, so the
 * kiosk's budgets see compute as instantaneous on a SimulatedClock and as real on a SystemClock.
 */
export async function playPhotoScenario(w: PhotoWorld, cast: PhotoCast, sc: PhotoScenario): Promise<PhotoRun> {
  const sim = w.clock instanceof SimulatedClock ? w.clock : null;
  const wait = async (ms: number): Promise<void> => {
    if (sim) {
      await turn();
      sim.advance(ms);
    } else await new Promise((r) => setTimeout(r, ms));
  };
  const state = (): string => String(w.kiosk.actor.getSnapshot().value);
  const deadline = Date.now() + 120_000;
  /** Until `done`, moving the clock `stepMs` per turn (0: the kiosk is computing, the clock stands). */
  const until = async (done: () => boolean, stepMs: number, what: string): Promise<void> => {
    while (!done()) {
      if (Date.now() > deadline) throw new Error(`stuck in ${state()} waiting for ${what}`);
      if (sim && stepMs > 0) await wait(stepMs);
      else await (sim ? turn() : new Promise((r) => setTimeout(r, 5)));
    }
  };
  const t0 = w.clock.monotonic();
  const wall0 = performance.now();
  const why: string[] = [];
  w.scanner.clear();
  w.scanner.place({ image: cast.prints.get(sc.print)!, x: 30, y: 20, width: 35, height: 45 });
  w.live = sc.live === 'applicant' ? cast.applicant : sc.live === 'other' ? cast.other : cast.spoof;
  w.kiosk.act('start');
  w.kiosk.act('scan');
  // the scanner's time passes once; its image is then rendered and cut out in real time
  if (sim) await wait(w.scanner.scanMs);
  await until(() => state() !== 'scanning', 0, 'the scan');
  await until(() => !['checking_photo', 'look_at_camera'].includes(state()), 0, 'the check and the live face');
  const application = w.kiosk.application()!;
  let got = '';
  if (state() === 'choose_payment') {
    if (!sc.pay) why.push('accepted photo without a payment in the scenario');
    const pay = sc.pay ?? { method: 'fps', payer: 'cancel' };
    const behaviour: PayerBehaviour = pay.payer === 'pay' || pay.payer === 'decline' || pay.payer === 'silent' || pay.payer === 'duplicate' ? pay.payer : 'manual';
    w.acquirer.payer = () => behaviour;
    w.kiosk.act(pay.method === 'fps' ? 'pay-fps' : 'pay-octopus');
    if (pay.method === 'octopus') {
      w.reader.present({ id: 'sim-card', balanceCents: pay.payer === 'decline' ? 100 : 100_000 });
    }
    if (pay.method === 'fps') await until(() => w.kiosk.qr() !== null || state() !== 'paying', sim ? 50 : 0, 'the FPS code');
    if (pay.payer === 'cancel') w.kiosk.act('cancel');
    if (pay.payer === 'restart_paid' || pay.payer === 'restart_unpaid') {
      const key = w.store.list(application)[0]!.key;
      await w.kill();
      // the payer's banking app confirms while the kiosk is down
      if (pay.payer === 'restart_paid') w.acquirer.pay(key);
      await w.start();
      await until(() => w.store.unfinished().length === 0, 100, 'the restarted kiosk to settle the payment');
      got = 'RESTARTED';
      if (w.kiosk.screen().id !== 'idle') why.push(`restarted kiosk shows ${w.kiosk.screen().id}`);
    } else {
      await until(() => state() === 'result', 100, 'the payment and the receipt');
    }
    w.reader.remove();
  } else {
    await until(() => state() === 'result', 100, 'the result');
  }
  const snap = w.kiosk.actor.getSnapshot();
  if (!got) got = snap.context.outcome ?? state();
  const failing = got === 'PHOTO_NOT_COMPLIANT' ? [...snap.context.failing] : [];
  const kioskMs = w.clock.monotonic() - t0;
  const attempts = w.store.list(application);
  const charges = attempts.reduce((n, a) => n + (a.method === 'fps' ? w.acquirer.debitsForBill(a.bill) : w.reader.debits(a.key)), 0);
  const payment = attempts.at(-1)?.state ?? null;
  if (got !== sc.expect.outcome) why.push(`outcome ${got}`);
  for (const f of sc.expect.failing ?? []) if (!failing.includes(f)) why.push(`rule ${f} did not fail (failing: ${failing.join(',') || 'none'})`);
  if (charges !== sc.expect.charges) why.push(`charged ${charges} times`);
  if ((sc.expect.payment ?? null) !== payment) why.push(`payment ${payment}`);
  // one charge per application whatever happens next: paying the same application again is refused
  if (payment === 'paid') {
    try {
      await w.desk.payByFps(application, w.config.feeCents);
      why.push('a paid application could be paid again');
    } catch (err) {
      if (errorCode(err) !== 'PAYMENT_ALREADY_PAID') why.push(`second payment: ${errorCode(err)}`);
    }
  }
  if (state() === 'result') w.kiosk.act('done');
  await until(() => state() === 'idle', sim ? 100 : 0, 'the start screen');
  return { name: sc.name, expected: sc.expect.outcome, got, failing, charges, payment, kioskMs, wallMs: performance.now() - wall0, ok: why.length === 0, why };
}

