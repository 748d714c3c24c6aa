import { createActor, type Actor } from 'xstate';
import type { ReceiptPrinter } from '../../drivers/printer/interface.ts';
import { parseTd3, type Mrz } from '../../icao/mrz.ts';
import type { Clock, TimerHandle } from '../clock.ts';
import type { TokenVerdict } from '../crossing/types.ts';
import type { KioskScreen, KioskSource } from '../display/kiosk-types.ts';
import type { ReferenceStore } from '../enrolment/reference-store.ts';
import { enrolmentSource, expiryOf } from '../express/enrolment-index.ts';
import { registrationMachine, type RegistrationEvent, type RegistrationInput, type RegistrationRefusal } from './registration-machine.ts';
import { registrationScreen } from './registration-screens.ts';
import { enrolmentSlipJob } from './slip.ts';

type FaceDecision = Extract<RegistrationEvent, { type: 'FACE_RESULT' }>['decision'];

/** What the registration kiosk does in the world; each is a real part in the gate (Express document check, face loop, store, printer, journal). */
export interface RegistrationPorts {
  /** The Express lane's document check (BAC/PACE, Passive Authentication, eligibility); its reference is the chip photo's template. */
  checkDocument(mrz: readonly string[]): Promise<TokenVerdict>;
  /** One live capture judged 1:1 against the chip template at the chip operating point; guidance as it goes. */
  captureAndVerify(reference: unknown, guide: (issue: string) => void): Promise<FaceDecision>;
  store: ReferenceStore;
  /** The passport's enrolment reference (kiosk/express/enrolment-index.ts): the Express lane finds it again from the MRZ. */
  enrolmentSub(mrz: Mrz): string;
  printer: ReceiptPrinter;
  /** Journal (and so the central system): only pseudonyms and dates. */
  journal(event: 'enrolment_created' | 'registration_refused', data: Record<string, string | number | boolean>): void;
  clock: Clock;
  kiosk: string;
}

/** One visitor's passport, held in memory until the kiosk returns to the start. */
interface Visitor {
  reference: unknown;
  /** The enrolment reference this passport will have. */
  sub: string;
  subject: string;
  validUntil: string;
  issuingState: string;
}

/** Express verdict reasons (icao/errors.ts PASSPORT_REASONS) as the visitor's refusal; anything else is not eligible. */
export function refusalOf(reason: string): RegistrationRefusal {
  if (/^(PA_SIGNATURE|PA_CHAIN|PA_HASH|PA_MISMATCH|CHIP_CLONED)$/.test(reason)) return 'CHIP_NOT_GENUINE';
  if (/^(CHIP_UNREADABLE|ACCESS_DENIED|SM_ERROR|MRZ_INVALID)$/.test(reason)) return 'CHIP_UNREADABLE';
  return 'DOCUMENT_NOT_ELIGIBLE';
}

/**
 * The registration statechart bound to the kiosk's parts: the side effects run on entering
 * states, their results go back as events, and the touch page sees registrationScreen().
 * The chip template lives in memory for one visitor only and is dropped on every return to
 * the start; the template enrolled is the chip photo's (the live face only confirmed it).
 */
export class RegistrationKiosk implements KioskSource {
  readonly actor: Actor<typeof registrationMachine>;
  #visitor: Visitor | undefined;
  #visit = 0;
  readonly #fns = new Set<(s: KioskScreen) => void>();

  constructor(
    private readonly ports: RegistrationPorts,
    input: RegistrationInput,
  ) {
    const clock = ports.clock;
    this.actor = createActor(registrationMachine, {
      input,
      clock: { setTimeout: (fn: () => void, ms: number) => clock.setTimeout(fn, ms), clearTimeout: (h: unknown) => clock.clearTimeout(h as TimerHandle) },
    });
    this.actor.subscribe((snap) => {
      if (snap.value === 'welcome') this.#forget();
      const screen = registrationScreen(snap);
      for (const fn of this.#fns) fn(screen);
    });
    this.actor.start();
  }

  screen(): KioskScreen {
    return registrationScreen(this.actor.getSnapshot());
  }

  on(_e: 'screen', fn: (s: KioskScreen) => void): () => void {
    this.#fns.add(fn);
    return () => this.#fns.delete(fn);
  }

  act(action: string): void {
    const events: Record<string, 'START' | 'AGREE' | 'DECLINE' | 'AGAIN'> = { start: 'START', agree: 'AGREE', decline: 'DECLINE', again: 'AGAIN' };
    const event = events[action];
    if (!event) return;
    this.actor.send({ type: event });
    // an unexpected throw (store, printer, journal) ends at the counter, never as an unhandled rejection
    if (event === 'AGREE' || event === 'AGAIN') this.#capture().catch(() => this.actor.send({ type: 'ENROL_FAILED' }));
  }

  reset(): void {
    this.actor.send({ type: 'RESET' });
  }

  /** The MRZ reader read a passport. */
  passportRead(mrz: readonly string[]): void {
    const state = this.actor.getSnapshot().value;
    if (state !== 'welcome' && state !== 'awaitingPassport') return;
    this.actor.send({ type: 'MRZ_READ' });
    const visit = this.#visit;
    // .catch after .then: a throw while taking the verdict (journal, MRZ) is the chip path's refusal, never an unhandled rejection
    void this.ports
      .checkDocument(mrz)
      .then((v) => {
        if (visit !== this.#visit) return; // reset meanwhile: forget the result
        if (!v.ok) {
          this.actor.send({ type: 'DOCUMENT_CHECKED', ok: false, refusal: refusalOf(v.reason) });
          return this.ports.journal('registration_refused', { reason: v.reason, step: 'document' });
        }
        const m = parseTd3(mrz);
        this.#visitor = { reference: v.reference, sub: this.ports.enrolmentSub(m), subject: v.subject, validUntil: expiryOf(m), issuingState: m.issuingState };
        this.actor.send({ type: 'DOCUMENT_CHECKED', ok: true });
      })
      .catch(() => visit === this.#visit && this.actor.send({ type: 'DOCUMENT_CHECKED', ok: false, refusal: 'CHIP_UNREADABLE' }));
  }

  async #capture(): Promise<void> {
    const visitor = this.#visitor;
    const visit = this.#visit;
    if (!visitor || this.actor.getSnapshot().value !== 'capturing') return;
    let decision: FaceDecision;
    try {
      decision = await this.ports.captureAndVerify(visitor.reference, (issue) => visit === this.#visit && this.actor.send({ type: 'GUIDANCE', issue }));
    } catch {
      decision = 'no_face';
    }
    if (visit !== this.#visit) return;
    this.actor.send({ type: 'FACE_RESULT', decision });
    const state = this.actor.getSnapshot().value;
    if (state === 'refused') this.ports.journal('registration_refused', { reason: this.actor.getSnapshot().context.refusal ?? '', step: 'face' });
    if (state === 'enrolling') await this.#enrol(visitor, visit);
  }

  async #enrol(visitor: Visitor, visit: number): Promise<void> {
    const reference = visitor.sub;
    try {
      const template = (visitor.reference as { template: Float32Array }).template;
      this.ports.store.upsert(reference, template, { source: enrolmentSource(visitor.validUntil) });
    } catch {
      if (visit === this.#visit) this.actor.send({ type: 'ENROL_FAILED' });
      return;
    }
    this.ports.journal('enrolment_created', { enrolment: reference, subject: visitor.subject, issuing_state: visitor.issuingState, valid_until: visitor.validUntil, kiosk: this.ports.kiosk });
    this.actor.send({ type: 'ENROLLED', reference, validUntil: visitor.validUntil });
    const issuedAt = new Date(this.ports.clock.now() + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ');
    try {
      await this.ports.printer.print(enrolmentSlipJob({ reference, validUntil: visitor.validUntil, issuedAt, kiosk: this.ports.kiosk }));
      this.actor.send({ type: 'PRINTED' });
    } catch {
      this.actor.send({ type: 'PRINT_FAILED' });
    }
  }

  #forget(): void {
    this.#visitor = undefined;
    this.#visit++;
  }
}
