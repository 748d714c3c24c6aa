import { assign, emit, fromPromise, setup } from 'xstate';

/**
 * The collection kiosk (issue 14 §4) as one statechart: slip → the dispenser fetches that card
 * to its internal reader → the card is read and its chip authenticated → the live face is
 * compared with the card's photo → only on a match is the card presented; not taken within the
 * limit, or any refusal: the card is retained in the bin and the resident sent to the counter.
 * No I/O: the steps are actors the binding provides, outputs and screens are pure functions of
 * the state (collection-outputs below), facts for the journal are emitted without images, card
 * numbers or `sub` (the slip's hash and reason codes only).
 */

export interface CollectionTimings {
  /** How long the card waits in the mouth before it is retained (the controller's backstop is longer). */
  takeLimitMs: number;
  /** How long a result stays on screen before the kiosk is ready again. */
  resultDisplayMs: number;
}

export type StepResult = { ok: true } | { ok: false; reason: string };
export type SlipCheck = { ok: true; slot: number; slip: string } | { ok: false; reason: string; slip: string };
export type FaceCheck = { decision: 'match' | 'no_match' | 'spoof' | 'timeout' };

export type CollectionEvent = { type: 'SLIP_SCANNED'; text: string } | { type: 'CARD_TAKEN' } | { type: 'RESET' };

export type CollectionFact = { type: 'collection_step'; step: string; slip: string | null; reason: string | null };

export interface CollectionContext {
  timings: CollectionTimings;
  slip: string | null;
  slot: number;
  reason: string | null;
  outcome: 'COLLECTED' | 'REFUSED' | 'NOT_TAKEN' | null;
}

/** An actor the binding must provide: without it the step fails (and the card is retained). */
function notProvided<O, I>(name: string) {
  return fromPromise<O, I>(async () => {
    throw new Error(`${name} not provided`);
  });
}

function reasonOf(event: unknown): string {
  const out = (event as { output?: { reason?: string; decision?: string } }).output;
  if (out?.reason) return out.reason;
  if (out?.decision) return out.decision === 'no_match' ? 'FACE_MISMATCH' : out.decision === 'spoof' ? 'PRESENTATION_ATTACK' : 'FACE_TIMEOUT';
  const err = (event as { error?: { code?: string } }).error;
  return err?.code ?? 'DEVICE_FAILED';
}

export const collectionMachine = setup({
  types: { context: {} as CollectionContext, events: {} as CollectionEvent, input: {} as { timings: CollectionTimings }, emitted: {} as CollectionFact },
  actors: {
    checkSlip: notProvided<SlipCheck, { text: string }>('checkSlip'),
    fetchCard: notProvided<void, { slot: number }>('fetchCard'),
    checkCard: notProvided<StepResult, void>('checkCard'),
    compareFace: notProvided<FaceCheck, void>('compareFace'),
    presentCard: notProvided<void, void>('presentCard'),
    retainCard: notProvided<void, void>('retainCard'),
  },
  actions: {
    fact: emit(({ context }, params: { step: string }) => ({ type: 'collection_step' as const, step: params.step, slip: context.slip, reason: context.reason })),
    refuse: assign(({ event }) => ({ reason: reasonOf(event), outcome: 'REFUSED' as const })),
  },
  delays: {
    takeLimit: ({ context }) => context.timings.takeLimitMs,
    resultDisplay: ({ context }) => context.timings.resultDisplayMs,
  },
}).createMachine({
  id: 'collection',
  context: ({ input }) => ({ timings: input.timings, slip: null, slot: 0, reason: null, outcome: null }),
  initial: 'idle',
  states: {
    idle: {
      entry: assign({ slip: null, slot: 0, reason: null, outcome: null }),
      on: { SLIP_SCANNED: 'checking_slip' },
    },
    checking_slip: {
      invoke: {
        src: 'checkSlip',
        input: ({ event }) => ({ text: event.type === 'SLIP_SCANNED' ? event.text : '' }),
        onDone: [
          { guard: ({ event }) => event.output.ok, target: 'fetching', actions: [assign({ slip: ({ event }) => event.output.slip, slot: ({ event }) => (event.output.ok ? event.output.slot : 0) }), { type: 'fact', params: { step: 'slip_accepted' } }] },
          // No card was moved: straight to the counter.
          { target: 'to_counter', actions: [assign({ slip: ({ event }) => event.output.slip }), 'refuse', { type: 'fact', params: { step: 'slip_refused' } }] },
        ],
        onError: { target: 'to_counter', actions: ['refuse', { type: 'fact', params: { step: 'slip_refused' } }] },
      },
    },
    fetching: {
      invoke: {
        src: 'fetchCard',
        input: ({ context }) => ({ slot: context.slot }),
        onDone: { target: 'reading_card', actions: { type: 'fact', params: { step: 'card_fetched' } } },
        onError: { target: 'retaining', actions: ['refuse', { type: 'fact', params: { step: 'fetch_failed' } }] },
      },
    },
    reading_card: {
      invoke: {
        src: 'checkCard',
        onDone: [
          { guard: ({ event }) => event.output.ok, target: 'face', actions: { type: 'fact', params: { step: 'card_genuine' } } },
          { target: 'retaining', actions: ['refuse', { type: 'fact', params: { step: 'card_refused' } }] },
        ],
        onError: { target: 'retaining', actions: ['refuse', { type: 'fact', params: { step: 'card_refused' } }] },
      },
    },
    face: {
      invoke: {
        src: 'compareFace',
        onDone: [
          { guard: ({ event }) => event.output.decision === 'match', target: 'presenting', actions: { type: 'fact', params: { step: 'face_matched' } } },
          { target: 'retaining', actions: ['refuse', { type: 'fact', params: { step: 'face_refused' } }] },
        ],
        onError: { target: 'retaining', actions: ['refuse', { type: 'fact', params: { step: 'face_refused' } }] },
      },
    },
    presenting: {
      invoke: {
        src: 'presentCard',
        onDone: { target: 'awaiting_take', actions: { type: 'fact', params: { step: 'card_presented' } } },
        onError: { target: 'retaining', actions: ['refuse', { type: 'fact', params: { step: 'present_failed' } }] },
      },
    },
    awaiting_take: {
      on: { CARD_TAKEN: { target: 'result', actions: [assign({ outcome: 'COLLECTED' as const }), { type: 'fact', params: { step: 'card_taken' } }] } },
      after: { takeLimit: { target: 'retaining', actions: [assign({ reason: 'NOT_TAKEN', outcome: 'NOT_TAKEN' as const }), { type: 'fact', params: { step: 'take_timeout' } }] } },
    },
    retaining: {
      invoke: {
        src: 'retainCard',
        onDone: { target: 'to_counter', actions: { type: 'fact', params: { step: 'card_retained' } } },
        // The card could not be put in the bin: it is still inside; nobody may use the kiosk.
        onError: { target: 'out_of_service', actions: [assign({ reason: ({ event }) => reasonOf(event) }), { type: 'fact', params: { step: 'retain_failed' } }] },
      },
    },
    to_counter: { after: { resultDisplay: 'idle' } },
    result: { after: { resultDisplay: 'idle' } },
    out_of_service: { on: { RESET: 'idle' } },
  },
});
