import type { VerifyResult } from '../../kiosk/biometrics/index.ts';
import type { CounterCase } from '../../kiosk/counter/counter-station.ts';
import { errorCode } from '../../kiosk/errors.ts';
import type { PassportKind } from '../make-passport.ts';
import { OFFICER, type CounterFace, type CounterWorld } from './counter-world.ts';

/** What the officer does with the case on the page, in order ('logout': logs out and in again; 'restart': the station restarts). */
type OfficerStep = 'accept' | 'retake' | 'refer' | 'logout' | 'restart';

/** What the visitor brings and shows, what the officer does, and what the station must end with. */
export interface CounterScenario {
  name: string;
  passport: PassportKind;
  /** The MRZ names a state the counter does not take. */
  ineligible?: boolean;
  /** Who is in front of the camera for each capture, in order. */
  faces: CounterFace[];
  officer: OfficerStep[];
  expect: {
    outcome: 'ACCEPTED' | 'REFERRED' | 'RESTARTED';
    /** The document check's refusal reason; null: the document passed. */
    document: string | null;
    /** The face decision of each case the officer saw (none when the document was refused). */
    faces: VerifyResult['decision'][];
    /** An arrival record was sealed (accept or refer with a portrait). */
    record: boolean;
  };
}

/** Every outcome of the counter (issue 15 §4, §5). */
export const COUNTER_SCENARIOS: CounterScenario[] = [
  { name: 'holder at the camera: accepted', passport: 'valid', faces: ['holder'], officer: ['accept'], expect: { outcome: 'ACCEPTED', document: null, faces: ['match'], record: true } },
  { name: 'stepped away: retake, then accepted', passport: 'valid', faces: ['nobody', 'holder'], officer: ['retake', 'accept'], expect: { outcome: 'ACCEPTED', document: null, faces: ['no_face', 'match'], record: true } },
  { name: 'face matches, officer refers anyway', passport: 'valid', faces: ['holder'], officer: ['refer'], expect: { outcome: 'REFERRED', document: null, faces: ['match'], record: true } },
  { name: 'someone else in front of the camera', passport: 'valid', faces: ['other'], officer: ['refer'], expect: { outcome: 'REFERRED', document: null, faces: ['no_match'], record: true } },
  { name: 'nobody in view', passport: 'valid', faces: ['nobody'], officer: ['refer'], expect: { outcome: 'REFERRED', document: null, faces: ['no_face'], record: false } },
  { name: 'holder replayed on a screen', passport: 'valid', faces: ['spoof'], officer: ['refer'], expect: { outcome: 'REFERRED', document: null, faces: ['spoof'], record: true } },
  { name: 'chip not genuine: untrusted signer', passport: 'untrusted-ds', faces: ['holder'], officer: ['refer'], expect: { outcome: 'REFERRED', document: 'PA_CHAIN', faces: [], record: false } },
  { name: 'chip not genuine: cloned chip', passport: 'clone', faces: ['holder'], officer: ['refer'], expect: { outcome: 'REFERRED', document: 'CHIP_CLONED', faces: [], record: false } },
  { name: 'passport expired', passport: 'expired-document', faces: ['holder'], officer: ['refer'], expect: { outcome: 'REFERRED', document: 'DOC_EXPIRED', faces: [], record: false } },
  { name: 'passport not eligible here', passport: 'valid', ineligible: true, faces: ['holder'], officer: ['refer'], expect: { outcome: 'REFERRED', document: 'DOC_NOT_ELIGIBLE', faces: [], record: false } },
  { name: 'officer logged out mid-case', passport: 'valid', faces: ['holder'], officer: ['logout', 'accept'], expect: { outcome: 'ACCEPTED', document: null, faces: ['match'], record: true } },
  { name: 'station restarts mid-case', passport: 'valid', faces: ['holder'], officer: ['restart'], expect: { outcome: 'RESTARTED', document: null, faces: ['match'], record: false } },
];

export interface CounterRun {
  name: string;
  expected: string;
  got: string;
  document: string | null;
  faces: string[];
  bands: string[];
  record: boolean;
  /** Wall ms from passport on the reader to the first case ready for the officer. */
  readyMs: number;
  ok: boolean;
  why: string[];
}

/** The doubt the officer must be shown for each face decision. */
const DOUBT: Partial<Record<VerifyResult['decision'], RegExp>> = {
  no_match: /does not match the passport/,
  no_face: /No face was seen/,
  spoof: /presentation attack/,
};

const pause = (): Promise<void> => new Promise((r) => setTimeout(r, 5));

/**
 * Plays one scenario. The officer is logged in first; the visitor lays the passport down and
 * faces the camera; each case is checked (document verdict, face decision and its doubt, the
 * buttons offered) before the officer acts. Then: the outcome, the arrival record only on an
 * accept or refer with a portrait (sealed, with the decision and officer), the officer's
 * actions in the journal in order, no document number, name or portrait in the journal, and
 * the station back at the start for the next visitor.
 */
export async function playCounterScenario(w: CounterWorld, sc: CounterScenario): Promise<CounterRun> {
  const why: string[] = [];
  const deadline = Date.now() + 180_000;
  const view = (): CounterCase => w.parts.station.view();
  const until = async (done: () => boolean, what: string): Promise<void> => {
    while (!done()) {
      if (Date.now() > deadline) throw new Error(`${sc.name}: stuck at ${view().step} waiting for ${what}`);
      await pause();
    }
  };
  const seq0 = w.journal.readAfter(0, 1_000_000).at(-1)?.seq ?? 0;
  w.parts.records.remove(w.parts.records.live(w.clock.now()).map((r) => r.arrival));
  let session = await w.parts.desk.login(OFFICER.id, OFFICER.pin);
  const actions = ['login'];
  const faces: string[] = [];
  const bands: string[] = [];
  let capture = 0;
  await w.show(sc.faces[capture++] ?? 'nobody');
  const t0 = performance.now();
  w.presentPassport(sc.passport, sc.ineligible);
  await until(() => view().step === 'review', 'the case');
  const readyMs = performance.now() - t0;
  const first = view();
  const arrival = first.arrival;
  const document = first.document?.ok ? null : (first.document?.reason ?? 'NONE');
  if (document !== sc.expect.document) why.push(`document ${document ?? 'genuine'}`);
  if (document !== null && first.allowed.includes('accept')) why.push('accept offered for a refused document');
  if (document !== null && !first.doubts.some((d) => d.startsWith('Document refused'))) why.push('refused document not named as a doubt');
  /** Records the case the officer sees now and checks its doubt. */
  const seen = (c: CounterCase): void => {
    if (!c.face) return;
    faces.push(c.face.decision);
    bands.push(c.face.band);
    const doubt = DOUBT[c.face.decision];
    if (doubt && !c.doubts.some((d) => doubt.test(d))) why.push(`${c.face.decision} without its doubt (${c.doubts.join(' | ')})`);
  };
  seen(first);
  let got = '';
  for (const step of sc.officer) {
    if (step === 'retake') {
      await w.show(sc.faces[capture++] ?? 'nobody');
      await w.parts.station.decide(session, arrival, 'retake');
      actions.push('retake');
      await until(() => view().step !== 'review', 'the retake to start');
      await until(() => view().step === 'review', 'the retaken case');
      if (view().arrival !== arrival) why.push('the retake became another arrival');
      seen(view());
    } else if (step === 'logout') {
      w.parts.desk.logout(session);
      actions.push('logout');
      try {
        await w.parts.station.decide(session, arrival, 'accept');
        why.push('a logged-out session decided');
      } catch (err) {
        if (errorCode(err) !== 'OFFICER_NO_SESSION') why.push(`decide after logout: ${errorCode(err)}`);
      }
      if (view().step !== 'review' || view().arrival !== arrival) why.push('the case was dropped at logout');
      session = await w.parts.desk.login(OFFICER.id, OFFICER.pin);
      actions.push('login');
    } else if (step === 'restart') {
      await w.restart();
      got = 'RESTARTED';
      if (view().step !== 'ready' || view().arrival !== '') why.push(`restarted station shows ${view().step}`);
      try {
        await w.parts.station.decide(session, arrival, 'accept');
        why.push('a decision on the pre-restart case was taken');
      } catch (err) {
        if (errorCode(err) !== 'OFFICER_BAD_REQUEST' && errorCode(err) !== 'OFFICER_NO_SESSION') why.push(`decide after restart: ${errorCode(err)}`);
      }
      session = '';
    } else {
      await w.parts.station.decide(session, arrival, step);
      actions.push(step);
    }
  }
  if (!got) got = view().step === 'accepted' ? 'ACCEPTED' : view().step === 'referred' ? 'REFERRED' : view().step;
  if (got !== sc.expect.outcome) why.push(`outcome ${got}`);
  if (faces.join() !== sc.expect.faces.join()) why.push(`faces ${faces.join(',') || 'none'}`);
  // the portrait leaves memory only into the sealed arrival record, and only on a decision
  const live = w.parts.records.live(w.clock.now());
  const record = live.some((r) => r.arrival === arrival);
  if (record !== sc.expect.record || live.length !== (record ? 1 : 0)) why.push(`${live.length} arrival record(s)`);
  if (record) {
    const r = live[0]!;
    const decided = got === 'ACCEPTED' ? 'accept' : 'refer';
    if (r.facts.decision !== decided || r.facts.officer !== OFFICER.id) why.push(`record says ${r.facts.decision} by ${r.facts.officer}`);
    if (r.portrait[0] !== 0xff || r.portrait[1] !== 0xd8) why.push('record portrait is not a JPEG');
  }
  if (session) {
    w.parts.desk.logout(session);
    actions.push('logout');
  }
  const events = w.journal.readAfter(seq0, 1_000_000);
  const officer = events.filter((e) => e.type === 'officer_action').map((e) => (e.data as { action: string }).action);
  if (officer.join() !== actions.join()) why.push(`officer actions journalled ${officer.join(',')}`);
  const cases = events.filter((e) => e.type === 'counter_case').length;
  if (cases !== Math.max(1, sc.expect.faces.length)) why.push(`${cases} counter_case events`);
  const text = JSON.stringify(events);
  if (/UT1234567|SPECIMEN|template|portrait|\/9j\//i.test(text) || text.includes(OFFICER.pin)) why.push('the journal names the document number, the name, the PIN or an image');
  // the visitor takes the passport; the station is ready for the next one
  w.takePassport();
  w.parts.station.reset();
  if (view().step !== 'ready' || view().document !== null) why.push('the station still holds the visitor');
  return { name: sc.name, expected: sc.expect.outcome, got, document, faces, bands, record, readyMs, ok: why.length === 0, why };
}

export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}
