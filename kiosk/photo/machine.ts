import { assign, setup } from 'xstate';

/**
 * The passport-application photo kiosk (issue 15 §2) as one statechart. No I/O inside: each
 * state names the task the binding runs (photoOutputs), and the binding answers with events.
 * An accepted photo goes on to the fee (FPS or Octopus, kiosk/payment) and a receipt; only a
 * paid application is PAID. Every payment end other than paid says the applicant was not charged
 * (or, for money after a cancel, that it will be refunded).
 */
export type PhotoOutcome =
  | 'PAID'
  | 'PHOTO_NOT_COMPLIANT' | 'PHOTO_NOT_APPLICANT' | 'LIVENESS_FAILED' | 'NO_LIVE_FACE' | 'SCAN_FAILED' | 'ABANDONED'
  | 'PAYMENT_DECLINED' | 'PAYMENT_TIMED_OUT' | 'PAYMENT_CANCELLED' | 'PAYMENT_REFUND_DUE' | 'PAYMENT_FAILED';

/** How one payment ended (kiosk/payment AttemptState's final states, plus a payment that could not start). */
export type PaymentEnd = 'paid' | 'declined' | 'timed_out' | 'cancelled' | 'refund_due' | 'failed';
const PAYMENT_OUTCOME: Record<Exclude<PaymentEnd, 'paid'>, PhotoOutcome> = {
  declined: 'PAYMENT_DECLINED', timed_out: 'PAYMENT_TIMED_OUT', cancelled: 'PAYMENT_CANCELLED', refund_due: 'PAYMENT_REFUND_DUE', failed: 'PAYMENT_FAILED',
};

export interface PhotoTimings {
  /** Applicant idle on a prompt this long: the session ends. */
  promptTimeoutMs: number;
  scanBudgetMs: number;
  checkBudgetMs: number;
  /** Live capture: PAD, quality and the 1:1 against the photo, all frames together. */
  faceBudgetMs: number;
  resultDisplayMs: number;
  maxScanAttempts: number;
  maxFaceAttempts: number;
}

export type PhotoEvent =
  | { type: 'START' }
  | { type: 'SCAN' }
  | { type: 'CANCEL' }
  | { type: 'SCANNED' }
  /** The scan or the print's cut-out failed (SCANNER_*, NO_PRINT, PRINT_TOO_SMALL). */
  | { type: 'SCAN_FAILED'; code: string }
  | { type: 'PHOTO_CHECKED'; compliant: boolean; failing: string[] }
  | { type: 'LIVE_VERIFIED'; decision: 'match' | 'no_match' | 'spoof' | 'poor_quality' | 'no_face'; score: number | null }
  | { type: 'PAY'; method: 'fps' | 'octopus' }
  /** The payment's screen changed (the binding shows the code, "tap your card", "checking with the bank"). */
  | { type: 'PAYMENT_SCREEN'; screen: string }
  | { type: 'PAYMENT_ENDED'; end: PaymentEnd }
  | { type: 'PRINTED'; ok: boolean };

export interface PhotoContext {
  timings: PhotoTimings;
  scanAttempts: number;
  faceAttempts: number;
  /** The last scan problem, for the hint on the prompt. */
  scanProblem: string | null;
  failing: string[];
  score: number | null;
  method: 'fps' | 'octopus' | null;
  /** The payment screen to show while paying (kiosk/payment PaymentScreen's id). */
  paymentScreen: string | null;
  /** False when the receipt could not be printed (the screen says so; the payment stands). */
  receiptPrinted: boolean;
  outcome: PhotoOutcome | null;
}

const refuse = (outcome: PhotoOutcome) => ({ type: 'setOutcome', params: { outcome } }) as const;

export const photoMachine = setup({
  types: { context: {} as PhotoContext, events: {} as PhotoEvent, input: {} as { timings: PhotoTimings } },
  delays: {
    prompt: ({ context }) => context.timings.promptTimeoutMs,
    scanBudget: ({ context }) => context.timings.scanBudgetMs,
    checkBudget: ({ context }) => context.timings.checkBudgetMs,
    faceBudget: ({ context }) => context.timings.faceBudgetMs,
    resultDisplay: ({ context }) => context.timings.resultDisplayMs,
  },
  actions: {
    setOutcome: assign((_, params: { outcome: PhotoOutcome }) => ({ outcome: params.outcome })),
  },
  guards: {
    scanRetriesLeft: ({ context }) => context.scanAttempts < context.timings.maxScanAttempts,
    compliant: ({ event }) => event.type === 'PHOTO_CHECKED' && event.compliant,
    match: ({ event }) => event.type === 'LIVE_VERIFIED' && event.decision === 'match',
    noMatch: ({ event }) => event.type === 'LIVE_VERIFIED' && event.decision === 'no_match',
    spoof: ({ event }) => event.type === 'LIVE_VERIFIED' && event.decision === 'spoof',
    faceRetriesLeft: ({ context }) => context.faceAttempts < context.timings.maxFaceAttempts,
    paid: ({ event }) => event.type === 'PAYMENT_ENDED' && event.end === 'paid',
  },
}).createMachine({
  id: 'photo',
  initial: 'idle',
  context: ({ input }) => ({ timings: input.timings, scanAttempts: 0, faceAttempts: 0, scanProblem: null, failing: [], score: null, method: null, paymentScreen: null, receiptPrinted: false, outcome: null }),
  states: {
    idle: {
      entry: assign({ scanAttempts: 0, faceAttempts: 0, scanProblem: null, failing: () => [], score: null, method: null, paymentScreen: null, receiptPrinted: false, outcome: null }),
      on: { START: 'place_photo' },
    },
    place_photo: {
      after: { prompt: { target: 'result', actions: refuse('ABANDONED') } },
      on: { SCAN: 'scanning', CANCEL: { target: 'result', actions: refuse('ABANDONED') } },
    },
    scanning: {
      entry: assign({ scanAttempts: ({ context }) => context.scanAttempts + 1, scanProblem: null }),
      after: { scanBudget: [{ guard: 'scanRetriesLeft', target: 'place_photo', actions: assign({ scanProblem: 'SCANNER_TIMEOUT' }) }, { target: 'result', actions: refuse('SCAN_FAILED') }] },
      on: {
        SCANNED: 'checking_photo',
        SCAN_FAILED: [
          { guard: 'scanRetriesLeft', target: 'place_photo', actions: assign({ scanProblem: ({ event }) => event.code }) },
          { target: 'result', actions: refuse('SCAN_FAILED') },
        ],
      },
    },
    checking_photo: {
      after: { checkBudget: { target: 'result', actions: refuse('SCAN_FAILED') } },
      on: {
        PHOTO_CHECKED: [
          { guard: 'compliant', target: 'look_at_camera' },
          { target: 'result', actions: [assign({ failing: ({ event }) => event.failing }), refuse('PHOTO_NOT_COMPLIANT')] },
        ],
      },
    },
    look_at_camera: {
      entry: assign({ faceAttempts: ({ context }) => context.faceAttempts + 1 }),
      after: { faceBudget: { target: 'result', actions: refuse('NO_LIVE_FACE') } },
      on: {
        LIVE_VERIFIED: [
          { guard: 'match', target: 'choose_payment', actions: assign({ score: ({ event }) => event.score }) },
          { guard: 'noMatch', target: 'result', actions: [assign({ score: ({ event }) => event.score }), refuse('PHOTO_NOT_APPLICANT')] },
          { guard: 'spoof', target: 'result', actions: refuse('LIVENESS_FAILED') },
          { guard: 'faceRetriesLeft', target: 'look_at_camera', reenter: true },
          { target: 'result', actions: refuse('NO_LIVE_FACE') },
        ],
      },
    },
    // the photo is accepted: the applicant picks how to pay (or walks away: nothing was charged)
    choose_payment: {
      after: { prompt: { target: 'result', actions: refuse('ABANDONED') } },
      on: {
        PAY: { target: 'paying', actions: assign({ method: ({ event }) => event.method, paymentScreen: null }) },
        CANCEL: { target: 'result', actions: refuse('PAYMENT_CANCELLED') },
      },
    },
    // no timer here: the payment has its own budget, and only its end says whether money moved
    paying: {
      on: {
        PAYMENT_SCREEN: { actions: assign({ paymentScreen: ({ event }) => event.screen }) },
        PAYMENT_ENDED: [
          { guard: 'paid', target: 'printing' },
          { target: 'result', actions: [assign({ outcome: ({ event }) => PAYMENT_OUTCOME[event.end as Exclude<PaymentEnd, 'paid'>] })] },
        ],
      },
    },
    printing: {
      on: { PRINTED: { target: 'result', actions: [assign({ receiptPrinted: ({ event }) => event.ok }), refuse('PAID')] } },
    },
    result: {
      after: { resultDisplay: 'idle' },
      on: { START: 'idle' },
    },
  },
});
