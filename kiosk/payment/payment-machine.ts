import { assign, setup } from 'xstate';
import type { ChargeState } from '../../drivers/payment/gateway-interface.ts';
import type { AttemptState } from './payment-store.ts';

/**
 * One FPS payment attempt as a statechart. No I/O: the binding (payment-desk.ts) asks the
 * acquirer when the machine enters `opening` or `cancelling` and sends the answers back.
 * The budget runs over opening and waiting together; when it ends (or the applicant
 * cancels) the charge is cancelled at the acquirer, and only the acquirer's answer says
 * whether the applicant was charged: a payment that beat the cancel is `paid`.
 */
export type PaymentEvent =
  | { type: 'OPENED'; state: ChargeState; acquirerRef: string | null }
  | { type: 'OPEN_FAILED'; code: string }
  | { type: 'NOTICE'; state: 'paid' | 'declined'; acquirerRef: string | null }
  | { type: 'CANCEL' }
  | { type: 'CANCEL_ANSWER'; state: ChargeState; acquirerRef: string | null }
  | { type: 'CANCEL_FAILED'; code: string };

export interface PaymentInput {
  budgetMs: number;
  retryMs: number;
  /** Where a restarted kiosk resumes an attempt it had on disk. */
  resumeFrom: AttemptState;
}

export interface PaymentContext extends PaymentInput {
  why: 'timeout' | 'applicant' | null;
  acquirerRef: string | null;
  failures: number;
  lastError: string | null;
}

export const paymentMachine = setup({
  types: { context: {} as PaymentContext, events: {} as PaymentEvent, input: {} as PaymentInput },
  delays: {
    budget: ({ context }) => context.budgetMs,
    retry: ({ context }) => context.retryMs,
  },
  guards: {
    resumeCancelling: ({ context }) => context.resumeFrom === 'cancelling',
    answered: ({ event }, state: ChargeState) => 'state' in event && event.state === state,
    byTimeout: ({ context }) => context.why === 'timeout',
  },
  actions: {
    ref: assign({ acquirerRef: ({ event }) => ('acquirerRef' in event ? event.acquirerRef : null) }),
    failed: assign({ failures: ({ context }) => context.failures + 1, lastError: ({ event }) => ('code' in event ? event.code : null) }),
  },
}).createMachine({
  id: 'payment',
  // a resumed cancel was the budget's (or a stale attempt's after a restart): the applicant is gone
  context: ({ input }) => ({ ...input, why: input.resumeFrom === 'cancelling' ? 'timeout' : null, acquirerRef: null, failures: 0, lastError: null }),
  initial: 'start',
  states: {
    start: { always: [{ guard: 'resumeCancelling', target: 'cancelling' }, { target: 'live' }] },
    live: {
      initial: 'opening',
      after: { budget: { target: 'cancelling', actions: assign({ why: 'timeout' }) } },
      on: {
        CANCEL: { target: 'cancelling', actions: assign({ why: 'applicant' }) },
        NOTICE: [
          { guard: { type: 'answered', params: 'paid' }, target: 'paid', actions: 'ref' },
          { guard: { type: 'answered', params: 'declined' }, target: 'declined' },
        ],
      },
      states: {
        opening: {
          on: {
            OPENED: [
              { guard: { type: 'answered', params: 'open' }, target: 'awaiting' },
              { guard: { type: 'answered', params: 'paid' }, target: '#payment.paid', actions: 'ref' },
              { guard: { type: 'answered', params: 'declined' }, target: '#payment.declined' },
              { target: '#payment.cancelled' },
            ],
            OPEN_FAILED: { target: 'openRetry', actions: 'failed' },
          },
        },
        // the same key again: the acquirer makes no second charge for it
        openRetry: { after: { retry: 'opening' } },
        awaiting: {},
      },
    },
    cancelling: {
      on: {
        CANCEL_ANSWER: [
          { guard: { type: 'answered', params: 'paid' }, target: 'paid', actions: 'ref' },
          { guard: { type: 'answered', params: 'declined' }, target: 'declined' },
          { guard: { type: 'answered', params: 'open' }, target: 'cancelRetry' },
          { guard: 'byTimeout', target: 'timedOut' },
          { target: 'cancelled' },
        ],
        CANCEL_FAILED: { target: 'cancelRetry', actions: 'failed' },
        NOTICE: [
          { guard: { type: 'answered', params: 'paid' }, target: 'paid', actions: 'ref' },
          { guard: { type: 'answered', params: 'declined' }, target: 'declined' },
        ],
      },
    },
    cancelRetry: {
      after: { retry: 'cancelling' },
      on: { NOTICE: { guard: { type: 'answered', params: 'paid' }, target: 'paid', actions: 'ref' } },
    },
    paid: { type: 'final' },
    declined: { type: 'final' },
    timedOut: { type: 'final' },
    cancelled: { type: 'final' },
  },
});

/** The attempt's durable state for a machine state (a pure function of the state). */
export function attemptState(value: unknown): AttemptState {
  if (typeof value === 'object' && value !== null && 'live' in value) return (value as { live: string }).live === 'awaiting' ? 'open' : 'created';
  switch (value) {
    case 'cancelling':
    case 'cancelRetry':
      return 'cancelling';
    case 'paid':
      return 'paid';
    case 'declined':
      return 'declined';
    case 'timedOut':
      return 'timed_out';
    case 'cancelled':
      return 'cancelled';
    default:
      return 'created';
  }
}
