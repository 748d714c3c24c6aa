import { SimulatedClock } from '../../core/clock.ts';
import { KioskSession } from '../../kiosk/display/kiosk-session.ts';
import { enrolmentIndexKey, enrolmentSubFor } from '../../kiosk/express/enrolment-index.ts';
import { parseTd3 } from '../../icao/mrz.ts';
import type { PassportKind } from '../make-passport.ts';
import { registrationCast, type RegistrationWorld } from './registration-world.ts';

type Face = 'holder' | 'other' | 'spoof' | 'nobody';

/** What the visitor brings and does, and what the kiosk must end with. */
export interface RegistrationScenario {
  name: string;
  passport: PassportKind;
  /** Who is at the camera for each capture, in order (the last one stays). */
  faces: Face[];
  /** At consent: agree, decline, or walk away (inactivity); `leave_at_retry` walks away on the "try again" screen. */
  visitor: 'agree' | 'decline' | 'leave_at_consent' | 'leave_at_retry';
  paperOut?: boolean;
  expect: { outcome: string; captures: number; slip?: boolean };
}

/** Every outcome of the kiosk (issue 14 §3, §5); all but ENROLLED must leave the store empty. */
export const REGISTRATION_SCENARIOS: RegistrationScenario[] = [
  { name: 'enrolled at the first try', passport: 'valid', faces: ['holder'], visitor: 'agree', expect: { outcome: 'ENROLLED', captures: 1, slip: true } },
  { name: 'enrolled at the second try (CA chip)', passport: 'valid-ca', faces: ['nobody', 'holder'], visitor: 'agree', expect: { outcome: 'ENROLLED', captures: 2, slip: true } },
  { name: 'enrolled, printer out of paper', passport: 'valid', faces: ['holder'], visitor: 'agree', paperOut: true, expect: { outcome: 'ENROLLED', captures: 1, slip: false } },
  { name: 'expired passport: not eligible', passport: 'expired-document', faces: ['holder'], visitor: 'agree', expect: { outcome: 'DOCUMENT_NOT_ELIGIBLE', captures: 0 } },
  { name: 'signer not under a trusted CSCA', passport: 'untrusted-ds', faces: ['holder'], visitor: 'agree', expect: { outcome: 'CHIP_NOT_GENUINE', captures: 0 } },
  { name: 'cloned chip (Active Authentication)', passport: 'clone', faces: ['holder'], visitor: 'agree', expect: { outcome: 'CHIP_NOT_GENUINE', captures: 0 } },
  { name: 'chip photo swapped: never enrolled', passport: 'tampered-dg2', faces: ['holder'], visitor: 'agree', expect: { outcome: 'CHIP_NOT_GENUINE', captures: 0 } },
  { name: 'someone else: no match after 3 tries', passport: 'valid', faces: ['other'], visitor: 'agree', expect: { outcome: 'FACE_NO_MATCH', captures: 3 } },
  { name: 'holder replayed on a screen: attack', passport: 'valid', faces: ['spoof', 'holder'], visitor: 'agree', expect: { outcome: 'PRESENTATION_ATTACK', captures: 1 } },
  { name: 'consent declined', passport: 'valid', faces: ['holder'], visitor: 'decline', expect: { outcome: 'DECLINED', captures: 0 } },
  { name: 'walks away at consent: forgotten', passport: 'valid', faces: ['holder'], visitor: 'leave_at_consent', expect: { outcome: 'FORGOTTEN', captures: 0 } },
  { name: 'walks away after a miss: forgotten', passport: 'valid', faces: ['other'], visitor: 'leave_at_retry', expect: { outcome: 'FORGOTTEN', captures: 1 } },
];

export interface RegistrationRun {
  name: string;
  expected: string;
  got: string;
  captures: number;
  enrolled: number;
  slip: boolean;
  /** The kiosk's working time for the visitor, start tap to result (wall ms: the simulated clock stands while it works). */
  kioskMs: number;
  ok: boolean;
  why: string[];
}

/** The touch page's inactivity timeout (kiosk/seat/run-kiosk.ts). */
export const IDLE_MS = 60_000;
const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

/**
 * Plays one scenario through the touch page's session (taps the screen does not offer are
 * refused, inactivity resets): the clock moves only when the visitor idles or a result screen
 * times out, never while the kiosk works, so kioskMs is the kiosk's own time. Checks outcome,
 * captures, enrolment (only on ENROLLED, under the passport's reference), slip, journal, and
 * that the kiosk is back at the start having forgotten the visitor.
 */
export async function playRegistrationScenario(w: RegistrationWorld, sc: RegistrationScenario): Promise<RegistrationRun> {
  const clock = w.clock as SimulatedClock;
  const cast = registrationCast();
  const session = new KioskSession(w.app, clock, IDLE_MS);
  const state = (): string => String(w.app.kiosk.actor.getSnapshot().value);
  const deadline = Date.now() + 120_000;
  const until = async (done: () => boolean, what: string): Promise<void> => {
    while (!done()) {
      if (Date.now() > deadline) throw new Error(`${sc.name}: stuck in ${state()} waiting for ${what}`);
      await turn();
    }
  };
  const why: string[] = [];
  for (const r of w.store.list()) w.store.remove(r.sub);
  const seq0 = w.journal.readAfter(0, 1_000_000).at(-1)?.seq ?? 0;
  const printed0 = w.printer.model.printed.length;
  w.printer.model.paper = sc.paperOut ? 'out' : 'ok';
  const frames0 = w.frames;
  let face = 0;
  const show = (): void => {
    const f = sc.faces[Math.min(face++, sc.faces.length - 1)]!;
    w.live = f === 'nobody' ? null : cast[f];
  };
  const wall0 = performance.now();
  let kioskMs = 0;
  let got = '';
  if (!session.act('start')) why.push('no start button');
  w.presentPassport(sc.passport);
  await until(() => !['awaitingPassport', 'checkingDocument'].includes(state()), 'the document check');
  if (state() === 'consent') {
    if (sc.visitor === 'decline') session.act('decline');
    else if (sc.visitor === 'leave_at_consent') {
      clock.advance(IDLE_MS);
      got = 'FORGOTTEN';
    } else {
      show();
      session.act('agree');
    }
    while (!got && ['capturing', 'retry'].includes(state())) {
      await until(() => state() !== 'capturing', 'the capture');
      if (state() !== 'retry') break;
      if (sc.visitor === 'leave_at_retry') {
        clock.advance(IDLE_MS);
        got = 'FORGOTTEN';
      } else {
        show();
        session.act('again');
      }
    }
    await until(() => !['enrolling', 'printing'].includes(state()), 'the enrolment and slip');
  }
  kioskMs = performance.now() - wall0;
  const snap = w.app.kiosk.actor.getSnapshot();
  if (!got) got = state() === 'done' ? 'ENROLLED' : state() === 'declined' ? 'DECLINED' : state() === 'refused' ? (snap.context.refusal ?? 'REFUSED') : state();
  const captures = w.frames - frames0;
  const slip = w.printer.model.printed.length > printed0;
  const events = w.journal.readAfter(seq0, 1_000_000);
  const created = events.filter((e) => e.type === 'enrolment_created');
  const enrolled = w.store.count();
  if (got !== sc.expect.outcome) why.push(`outcome ${got}`);
  if (captures !== sc.expect.captures) why.push(`${captures} captures`);
  if (got === 'ENROLLED') {
    const sub = enrolmentSubFor(enrolmentIndexKey(w.config.enrolment.keyPath), parseTd3(w.mrzOf(sc.passport)));
    if (!w.store.has(sub) || enrolled !== 1) why.push(`enrolment not stored under the passport's reference (${enrolled} in store)`);
    if (created.length !== 1 || (created[0]!.data as { enrolment?: string }).enrolment !== sub) why.push('enrolment_created not journalled once with the reference');
    if (slip !== (sc.expect.slip ?? true)) why.push(`slip printed: ${slip}`);
  } else {
    // never enrol on a failed check, a decline, a walk-away
    if (enrolled !== 0 || created.length !== 0) why.push(`enrolled ${enrolled} without a completed registration`);
    if (slip) why.push('a slip was printed');
  }
  if (['CHIP_NOT_GENUINE', 'DOCUMENT_NOT_ELIGIBLE', 'FACE_NO_MATCH', 'PRESENTATION_ATTACK'].includes(got) && !events.some((e) => e.type === 'registration_refused' && (e.data as { step?: string }).step)) why.push('refusal not journalled');
  const text = JSON.stringify(events);
  if (/UT1234567|SPECIMEN|template/i.test(text)) why.push('the journal names the document number, the name or a template');
  // the result screen times out; the visitor takes the passport back
  w.takePassport();
  if (state() !== 'welcome') clock.advance(w.config.registration.resultMs);
  await turn();
  if (state() !== 'welcome') why.push(`not back at the start (${state()})`);
  // forgotten: nothing of this visitor is offered or kept
  if (session.act('agree') || session.act('again')) why.push('a tap of the last visitor still reaches the kiosk');
  const ctx = w.app.kiosk.actor.getSnapshot().context;
  if (ctx.attempts !== 0 || ctx.enrolment !== undefined || ctx.refusal !== undefined) why.push('the statechart still holds the visitor');
  session.stop();
  w.live = null;
  return { name: sc.name, expected: sc.expect.outcome, got, captures, enrolled, slip, kioskMs, ok: why.length === 0, why };
}

export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}
