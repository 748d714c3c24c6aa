import { assign, setup } from 'xstate';

/** Why a visitor is refused, in the words the refusal screen turns into a sentence they understand. */
export type RegistrationRefusal =
  | 'DOCUMENT_NOT_ELIGIBLE' // state not eligible, wrong document type, expired
  | 'CHIP_NOT_GENUINE' // Passive Authentication or chip authentication failed
  | 'CHIP_UNREADABLE' // the chip could not be read (try again or the counter)
  | 'FACE_NO_MATCH' // at most maxAttempts tries, none matched the chip photo
  | 'PRESENTATION_ATTACK' // a photo, screen or mask: no second try
  | 'ENROL_FAILED'; // the store refused: the counter

export interface RegistrationInput {
  /** Face tries before FACE_NO_MATCH (issue 14: "at most N attempts"). */
  maxAttempts: number;
  /** How long a result (done, refusal, declined) stays on the screen before the start. */
  resultMs: number;
}

export interface RegistrationContext extends RegistrationInput {
  attempts: number;
  refusal: RegistrationRefusal | undefined;
  /** Last quality problem of the live capture, for guidance (no_face, too_far, pose…). */
  guidance: string | undefined;
  /** The enrolment made: its reference and end (no template, no document number). */
  enrolment: { reference: string; validUntil: string } | undefined;
  slipPrinted: boolean;
}

export type RegistrationEvent =
  | { type: 'START' }
  | { type: 'MRZ_READ' }
  | { type: 'DOCUMENT_CHECKED'; ok: true }
  | { type: 'DOCUMENT_CHECKED'; ok: false; refusal: RegistrationRefusal }
  | { type: 'AGREE' }
  | { type: 'DECLINE' }
  | { type: 'AGAIN' }
  | { type: 'GUIDANCE'; issue: string }
  | { type: 'FACE_RESULT'; decision: 'match' | 'no_match' | 'spoof' | 'no_face' | 'poor_quality' }
  | { type: 'ENROLLED'; reference: string; validUntil: string }
  | { type: 'ENROL_FAILED' }
  | { type: 'PRINTED' }
  | { type: 'PRINT_FAILED' }
  | { type: 'RESET' };

/**
 * The visitor self-registration kiosk (issue 14 §3) as one statechart with no I/O: the
 * binding runs the document check on entering `checkingDocument`, the live capture in
 * `capturing`, the enrolment in `enrolling` and the slip in `printing`, and sends back what
 * happened. `enrolling` is reachable only from a face match, which is reachable only after a
 * proven, eligible passport and the visitor's consent: a failed check can never enrol.
 * RESET (inactivity, technician) returns to the start from anywhere and forgets everything.
 */
export const registrationMachine = setup({
  types: { context: {} as RegistrationContext, events: {} as RegistrationEvent, input: {} as RegistrationInput },
  delays: { result: ({ context }) => context.resultMs },
  guards: {
    documentOk: ({ event }) => event.type === 'DOCUMENT_CHECKED' && event.ok,
    match: ({ event }) => event.type === 'FACE_RESULT' && event.decision === 'match',
    spoof: ({ event }) => event.type === 'FACE_RESULT' && event.decision === 'spoof',
    lastAttempt: ({ context }) => context.attempts + 1 >= context.maxAttempts,
  },
  actions: {
    forget: assign(({ context }) => fresh(context)),
    refuse: assign({ refusal: (_, r: RegistrationRefusal) => r }),
    refuseDocument: assign({ refusal: ({ event }) => (event.type === 'DOCUMENT_CHECKED' && !event.ok ? event.refusal : 'CHIP_UNREADABLE') }),
    countAttempt: assign({ attempts: ({ context }) => context.attempts + 1, guidance: () => undefined }),
    guide: assign({ guidance: ({ event }) => (event.type === 'GUIDANCE' ? event.issue : undefined) }),
    keepEnrolment: assign({ enrolment: ({ event }) => (event.type === 'ENROLLED' ? { reference: event.reference, validUntil: event.validUntil } : undefined) }),
    slipPrinted: assign({ slipPrinted: () => true }),
  },
}).createMachine({
  id: 'registration',
  context: ({ input }) => fresh(input),
  initial: 'welcome',
  on: { RESET: { target: '.welcome', actions: 'forget' } },
  states: {
    welcome: { entry: 'forget', on: { START: 'awaitingPassport', MRZ_READ: 'checkingDocument' } },
    awaitingPassport: { on: { MRZ_READ: 'checkingDocument' } },
    checkingDocument: {
      on: {
        DOCUMENT_CHECKED: [
          { guard: 'documentOk', target: 'consent' },
          { target: 'refused', actions: 'refuseDocument' },
        ],
      },
    },
    consent: { on: { AGREE: 'capturing', DECLINE: 'declined' } },
    capturing: {
      on: {
        GUIDANCE: { actions: 'guide' },
        FACE_RESULT: [
          { guard: 'match', target: 'enrolling' },
          { guard: 'spoof', target: 'refused', actions: { type: 'refuse', params: 'PRESENTATION_ATTACK' } },
          { guard: 'lastAttempt', target: 'refused', actions: ['countAttempt', { type: 'refuse', params: 'FACE_NO_MATCH' }] },
          { target: 'retry', actions: 'countAttempt' },
        ],
      },
    },
    /** "Try again" with the tries left; the visitor taps to capture again. */
    retry: { on: { AGAIN: 'capturing' } },
    enrolling: {
      on: {
        ENROLLED: { target: 'printing', actions: 'keepEnrolment' },
        ENROL_FAILED: { target: 'refused', actions: { type: 'refuse', params: 'ENROL_FAILED' } },
      },
    },
    printing: { on: { PRINTED: { target: 'done', actions: 'slipPrinted' }, PRINT_FAILED: 'done' } },
    done: { after: { result: 'welcome' } },
    refused: { after: { result: 'welcome' } },
    declined: { after: { result: 'welcome' } },
  },
});

function fresh(input: RegistrationInput): RegistrationContext {
  return { maxAttempts: input.maxAttempts, resultMs: input.resultMs, attempts: 0, refusal: undefined, guidance: undefined, enrolment: undefined, slipPrinted: false };
}

export type RegistrationState = 'welcome' | 'awaitingPassport' | 'checkingDocument' | 'consent' | 'capturing' | 'retry' | 'enrolling' | 'printing' | 'done' | 'refused' | 'declined';
