import { assign, emit, enqueueActions, setup } from 'xstate';
import { clearedDoorLatches, forcedDoorLatch, laneGuards, resumeWithMode } from './lane-start.ts';
import { initialContext, newCrossing, type CrossingContext, type CrossingInput, type CrossingState } from './context.ts';
import type { CrossingEvent } from './events.ts';
import type { Mode, Outcome } from './outcomes.ts';
import { crossingRecord } from './record.ts';
import type { FaceVerdict, TokenVerdict } from './types.ts';
import type { CrossingFact, JournalEventType } from './facts.ts';
import { faceAttemptFact, modeChangeReason, tokenCheckedData, tokenIgnoredData, tokenTypeOf, withFaceVerdict } from './shared-facts.ts';
import { crossingActors } from './actors.ts';

/**
 * The pedestrian contactless e-Channel crossing of gate-flow.md as one statechart.
 * No I/O here: door outputs follow from the state (pedestrian-outputs.ts), facts for the
 * journal are emitted, and the token check and the face loop are actors the binding
 * provides. Timers are named delays read from config, so tests drive them with a
 * simulated clock.
 */

const io = (ctx: CrossingContext, role: string): boolean => ctx.io.inputs[role] === true;
const occupancy = (ctx: CrossingContext): number => ctx.io.registers.mantrap_occupancy ?? 0;
const mantrapEmpty = (ctx: CrossingContext): boolean => !io(ctx, 'zone_mantrap') && occupancy(ctx) === 0;

export const pedestrianMachine = setup({
  types: {
    context: {} as CrossingContext,
    events: {} as CrossingEvent,
    input: {} as CrossingInput,
    emitted: {} as CrossingFact,
  },
  actors: crossingActors,
  delays: {
    tokenBudget: ({ context }) => context.timings.tokenBudgetMs,
    refusalDisplay: ({ context }) => context.timings.refusalDisplayMs,
    entryTimeout: ({ context }) => context.timings.entryTimeoutMs,
    tailgateResolve: ({ context }) => context.timings.tailgateResolveMs,
    tailgateSettle: ({ context }) => context.timings.tailgateSettleMs,
    faceBudget: ({ context }) => context.timings.faceBudgetMs,
    exitTimeout: ({ context }) => context.timings.exitTimeoutMs,
    healthyBeforeService: ({ context }) => context.timings.healthyBeforeServiceMs,
  },
  guards: {
    ...laneGuards,
    hasFaults: ({ context }) => context.faults.length > 0 || context.latched.length > 0,
    notReady: ({ context }) => context.faults.length > 0 || context.latched.length > 0 || context.releaseOccupant,
    /** Healthy, and nobody left inside from a crossing that was cut short. */
    noFaults: ({ context }) => context.faults.length === 0 && context.latched.length === 0 && !context.releaseOccupant,
    occupiedWithoutCrossing: ({ context }) => context.crossing === null && !context.releaseOccupant && !mantrapEmpty(context),
    fireAlarm: ({ context }) => context.fireAlarm,
    /** Known to be off: a resumed emergency does not end before the fire input was read. */
    noFireAlarm: ({ context }) => context.fireKnown && !context.fireAlarm,
    inCrossing: ({ context }) => context.crossing !== null,
    travellerInsideAlone: ({ context }) => io(context, 'zone_mantrap') && occupancy(context) <= 1 && !io(context, 'zone_approach'),
    entryClosed: ({ context }) => io(context, 'entry_closed'),
    exitClosed: ({ context }) => io(context, 'exit_closed'),
    tailgating: ({ context }) => occupancy(context) >= 2,
    backToOne: ({ context }) => occupancy(context) === 1 && io(context, 'zone_mantrap'),
    notBackToOne: ({ context }) => !(occupancy(context) === 1 && io(context, 'zone_mantrap')),
    mantrapEmpty: ({ context }) => mantrapEmpty(context),
    mantrapOccupied: ({ context }) => !mantrapEmpty(context),
    travellerLeft: ({ context }) => mantrapEmpty(context) && context.crossing?.seenExitZone === true && !io(context, 'zone_exit'),
    occupantOut: ({ context }) => context.releaseOccupant && mantrapEmpty(context),
    wantsMaintenance: ({ event }) => event.type === 'SET_MODE' && event.mode === 'maintenance',
    wantsOutOfService: ({ event }) => event.type === 'SET_MODE' && event.mode === 'out_of_service',
    wantsInService: ({ event }) => event.type === 'SET_MODE' && event.mode === 'in_service',
    faceMatch: ({ event }) => event.type === 'FACE_RESULT' && event.result.decision === 'match' && event.result.otherFaces === 0,
    secondFace: ({ event }) => event.type === 'FACE_RESULT' && event.result.otherFaces > 0,
    spoofConfirmed: ({ context, event }) =>
      event.type === 'FACE_RESULT' && event.result.decision === 'spoof' && (context.crossing?.spoofStreak ?? 0) + 1 >= context.padFrames,
  },
  actions: {
    mark: assign(({ context }, params: { key: keyof CrossingState['marks'] }) =>
      context.crossing ? { crossing: { ...context.crossing, marks: { ...context.crossing.marks, [params.key]: context.now() } } } : {},
    ),
    /** Emits crossing_finished and clears the crossing (and with it the reference) from memory. */
    finish: enqueueActions(({ context, enqueue }, params: { outcome?: Outcome; reason?: string }) => {
      const c = context.crossing;
      if (!c) return;
      const outcome = params.outcome ?? c.outcome ?? 'ABORTED_FAULT';
      const reason = params.reason ?? c.reason;
      enqueue.emit({ type: 'journal', event: 'crossing_finished', data: { ...crossingRecord(context, c, outcome, reason) } });
      enqueue.assign({ crossing: null, guidance: [], last: { outcome, reason } });
    }),
    /** The outcome is decided; the crossing finishes when the traveller has left the mantrap. */
    decide: assign(({ context }, params: { outcome: Outcome; reason: string }) => ({
      crossing: context.crossing
        ? { ...context.crossing, outcome: params.outcome, reason: params.reason, marks: { ...context.crossing.marks, faceDone: context.crossing.marks.faceDone ?? context.now() } }
        : null,
    })),
    alarm: emit(({ context }, params: { kind: 'raised' | 'cleared'; alarm: string }): CrossingFact => ({
      type: 'journal',
      event: params.kind === 'raised' ? 'alarm_raised' : 'alarm_cleared',
      data: { alarm: params.alarm, crossing: context.crossing?.id ?? null },
    })),
    /** Ends whatever crossing is in progress because the gate left service. */
    abortCrossing: enqueueActions(({ context, enqueue }, params: { outcome: 'ABORTED_FAULT' | 'ABORTED_EMERGENCY'; reason: string }) => {
      const c = context.crossing;
      if (!c) return;
      enqueue.assign({ releaseOccupant: !mantrapEmpty(context) });
      enqueue.emit({ type: 'journal', event: 'crossing_finished', data: { ...crossingRecord(context, c, params.outcome, params.reason) } });
      enqueue.assign({ crossing: null, guidance: [], last: { outcome: params.outcome, reason: params.reason } });
    }),
    latchForcedDoor: enqueueActions(({ context, event, enqueue }) => {
      const r = forcedDoorLatch(context, event);
      if (!r) return;
      enqueue.emit(r.fact);
      enqueue.assign({ latched: r.latched });
    }),
    clearLatched: enqueueActions(({ context, event, enqueue }) => {
      const r = clearedDoorLatches(context, event);
      for (const f of r.facts) enqueue.emit(f);
      enqueue.assign({ latched: r.latched });
    }),
    assignResumeMode: assign(({ context, event }) => ({ resume: resumeWithMode(context, event) })),
    markResumedEmergency: assign({ resumedEmergency: true }),
    /** emergency_started, except when resuming the emergency a killed process had journalled. */
    journalEmergencyStarted: enqueueActions(({ context, enqueue }) => {
      if (!context.resumedEmergency) enqueue.emit({ type: 'journal', event: 'emergency_started', data: { cause: 'fire_alarm' } });
      enqueue.assign({ resumedEmergency: false });
    }),
    modeChanged: enqueueActions(({ context, event, enqueue }, params: { mode: Mode }) => {
      const reason = modeChangeReason(context, event, params.mode, context.latched);
      enqueue.emit({ type: 'journal', event: 'mode_changed', data: { from: context.mode, to: params.mode, reason } });
      enqueue.assign({ mode: params.mode });
    }),
    journal: emit((_, params: { event: JournalEventType; data: Record<string, unknown> }): CrossingFact => ({ type: 'journal', event: params.event, data: params.data })),
    assignModeReason: assign((_, params: { reason: string }) => ({ modeReason: params.reason })),
    clearTailgateMark: assign(({ context }) => (context.crossing ? { crossing: { ...context.crossing, marks: { ...context.crossing.marks, entryClosed: undefined } } } : {})),
    assignToken: assign(({ context, event }) => {
      const out = (event as unknown as { output: TokenVerdict }).output;
      return { crossing: context.crossing ? { ...context.crossing, token: out } : null };
    }),
    refuseToken: assign(({ context }, params: { reason?: string }) => {
      const c = context.crossing;
      if (!c) return {};
      const reason = params.reason ?? (c.token && !c.token.ok ? c.token.reason : 'CHECK_FAILED');
      return { crossing: { ...c, outcome: context.tokenRefusal, reason } };
    }),
    journalReset: emit(({ event }): CrossingFact => ({ type: 'journal', event: 'maintenance_action', data: { action: 'emergency_reset', by: event.type === 'RESET' ? event.by : 'unknown' } })),
    assignIo: assign(({ context, event }) => {
      if (event.type !== 'IO') return {};
      const c = context.crossing;
      const seenExit = c && event.io.inputs.zone_exit === true && c.marks.exitOpened !== undefined;
      return { io: event.io, ioKnown: true, crossing: seenExit ? { ...c, seenExitZone: true } : c };
    }),
    addFault: assign(({ context, event }) =>
      event.type === 'DEVICE_FAULT' && !context.faults.includes(event.device) ? { faults: [...context.faults, event.device] } : {},
    ),
    removeFault: assign(({ context, event }) => (event.type === 'DEVICE_OK' ? { faults: context.faults.filter((d) => d !== event.device) } : {})),
    assignFire: assign(({ event }) => (event.type === 'FIRE_ALARM' ? { fireAlarm: event.active, fireKnown: true } : {})),
    clearRelease: assign({ releaseOccupant: false }),
    startCrossing: assign(({ context, event }) => ({
      crossing: newCrossing(context, event.type === 'TOKEN_READ' ? event.channel : 'unknown'),
    })),
    journalCrossingStarted: emit(({ context }): CrossingFact => ({
      type: 'journal',
      event: 'crossing_started',
      data: { crossing: context.crossing!.id, channel: context.crossing!.channel, token_type: tokenTypeOf(context.crossing!.channel) },
    })),
    journalTokenChecked: emit(({ context }): CrossingFact => ({ type: 'journal', event: 'token_checked', data: tokenCheckedData(context.crossing, context.crossing?.startedAt) })),
    journalTokenIgnored: emit(({ context, event }): CrossingFact => ({
      type: 'journal',
      event: 'token_checked',
      data: tokenIgnoredData(context.crossing?.id ?? null, event, 'CROSSING_IN_PROGRESS'),
    })),
    recordFace: assign(({ context, event }) =>
      event.type === 'FACE_RESULT' && context.crossing ? { guidance: event.result.issues, crossing: withFaceVerdict(context.crossing, event.result) } : {},
    ),
    /** One face_attempt per change of verdict (not per frame: 15 fps would flood the journal). */
    journalFaceAttempt: emit(({ context, event }): CrossingFact => (event.type === 'FACE_RESULT' ? faceAttemptFact(context.crossing, event.result) : { type: 'none' })),
  },
}).createMachine({
  id: 'pedestrian',
  context: ({ input }) => initialContext(input),
  initial: 'starting',
  // Sensor snapshots, faults and the fire alarm only update the context here; states react
  // through eventless guards, so no state can miss a change by not listening for it.
  on: {
    IO: { actions: 'assignIo' },
    DEVICE_FAULT: { actions: 'addFault' },
    DEVICE_OK: { actions: 'removeFault' },
    FIRE_ALARM: { actions: 'assignFire' },
    DOOR_FORCED: { actions: 'latchForcedDoor' },
  },
  states: {
    /**
     * Nothing is decided before the controller has reported the lane once (doors, zones,
     * occupancy, the fire input): then the gate resumes what the last process persisted —
     * an emergency, a wait for the technician's reset, maintenance, a commanded
     * out-of-service — or starts out of service. The binding writes no output meanwhile.
     */
    starting: {
      always: [
        { guard: 'resumeEmergency', target: '#emergency', actions: 'markResumedEmergency' },
        { guard: 'resumeAwaitingReset', target: '#emergency.awaiting_reset', actions: 'markResumedEmergency' },
        { guard: 'resumeMaintenance', target: '#maintenance' },
        { guard: 'resumeOutOfService', target: '#out_of_service.commanded' },
        { guard: 'laneKnown', target: '#out_of_service.faulty' },
      ],
      on: { SET_MODE: { actions: 'assignResumeMode' } },
    },
    in_service: {
      id: 'in_service',
      entry: [{ type: 'modeChanged', params: { mode: 'in_service' } }, { type: 'assignModeReason', params: { reason: '' } }],
      always: [
        { guard: 'fireAlarm', target: '#emergency', actions: { type: 'abortCrossing', params: { outcome: 'ABORTED_EMERGENCY', reason: 'FIRE_ALARM' } } },
        { guard: 'doorForced', target: '#out_of_service.faulty', actions: { type: 'abortCrossing', params: { outcome: 'ABORTED_FAULT', reason: 'DOOR_FORCED' } } },
        { guard: 'hasFaults', target: '#out_of_service.faulty', actions: { type: 'abortCrossing', params: { outcome: 'ABORTED_FAULT', reason: 'DEVICE_FAULT' } } },
      ],
      on: {
        TOKEN_READ: { actions: 'journalTokenIgnored' },
        SET_MODE: [
          { guard: 'inCrossing', actions: emit({ type: 'refused', what: 'SET_MODE', reason: 'CROSSING_IN_PROGRESS' }) },
          { guard: 'wantsMaintenance', target: '#maintenance' },
          { guard: 'wantsOutOfService', target: '#out_of_service.commanded' },
        ],
      },
      initial: 'idle',
      states: {
        idle: {
          on: { TOKEN_READ: { target: 'token_check', actions: ['startCrossing', 'journalCrossingStarted'] } },
        },
        token_check: {
          invoke: {
            src: 'checkToken',
            input: ({ event }) => (event.type === 'TOKEN_READ' ? { channel: event.channel, token: event.token } : { channel: 'unknown', token: null }),
            onDone: [
              { guard: ({ event }) => event.output.ok, target: 'entry', actions: ['assignToken', { type: 'mark', params: { key: 'tokenDone' } }, 'journalTokenChecked'] },
              { target: 'token_refused', actions: ['assignToken', { type: 'refuseToken', params: {} }, { type: 'mark', params: { key: 'tokenDone' } }, 'journalTokenChecked'] },
            ],
            onError: { target: 'token_refused', actions: [{ type: 'refuseToken', params: { reason: 'CHECK_FAILED' } }, { type: 'mark', params: { key: 'tokenDone' } }] },
          },
          after: {
            tokenBudget: { target: 'token_refused', actions: [{ type: 'refuseToken', params: { reason: 'TOKEN_TIMEOUT' } }, { type: 'mark', params: { key: 'tokenDone' } }] },
          },
        },
        /** Red cross and the reason for refusalDisplayMs; the entry door never opened. */
        token_refused: {
          entry: { type: 'finish', params: {} },
          after: { refusalDisplay: 'idle' },
        },
        entry: {
          id: 'entry',
          entry: { type: 'mark', params: { key: 'entryOpened' } },
          after: { entryTimeout: { guard: 'mantrapEmpty', target: 'abandoned' } },
          always: { guard: 'tailgating', target: 'tailgate' },
          initial: 'open',
          states: {
            open: { always: { guard: 'travellerInsideAlone', target: 'closing' } },
            closing: { always: { guard: 'entryClosed', target: '#face', actions: { type: 'mark', params: { key: 'entryClosed' } } } },
          },
        },
        abandoned: {
          entry: { type: 'finish', params: { outcome: 'ABANDONED', reason: 'NOT_ENTERED' } },
          always: { guard: 'entryClosed', target: 'idle' },
        },
        /** Two people inside: exit stays shut, entry reopens, buzzer until back to one. */
        tailgate: {
          entry: [{ type: 'alarm', params: { kind: 'raised', alarm: 'TAILGATE' } }, 'clearTailgateMark'],
          exit: { type: 'alarm', params: { kind: 'cleared', alarm: 'TAILGATE' } },
          after: { tailgateResolve: { target: 'refused', actions: { type: 'decide', params: { outcome: 'TAILGATE', reason: 'OCCUPANCY' } } } },
          initial: 'waiting',
          states: {
            waiting: { always: { guard: 'backToOne', target: 'settling' } },
            /** One person again: hold a moment so the extra person is really gone (beam flicker, a face at the door). */
            settling: {
              always: { guard: 'notBackToOne', target: 'waiting' },
              after: { tailgateSettle: '#entry.closing' },
            },
          },
        },
        face: {
          id: 'face',
          invoke: { src: 'faceLoop', input: ({ context }) => ({ reference: context.crossing?.token?.ok ? context.crossing.token.reference : null }) },
          always: { guard: 'tailgating', target: 'tailgate' },
          after: { faceBudget: { target: 'refused', actions: { type: 'decide', params: { outcome: 'REJECTED_FACE', reason: 'NO_MATCH' } } } },
          on: {
            FACE_RESULT: [
              { guard: 'secondFace', target: 'tailgate', actions: ['journalFaceAttempt', 'recordFace'] },
              { guard: 'faceMatch', target: 'exit', actions: ['journalFaceAttempt', 'recordFace', { type: 'decide', params: { outcome: 'CLEARED', reason: 'OK' } }] },
              {
                guard: 'spoofConfirmed',
                target: 'refused',
                actions: ['journalFaceAttempt', 'recordFace', { type: 'decide', params: { outcome: 'REJECTED_PAD', reason: 'PRESENTATION_ATTACK' } }],
              },
              { actions: ['journalFaceAttempt', 'recordFace'] },
            ],
          },
        },
        exit: {
          entry: { type: 'mark', params: { key: 'exitOpened' } },
          initial: 'open',
          states: {
            open: {
              always: { guard: 'travellerLeft', target: 'closing' },
              after: { exitTimeout: 'lingering' },
            },
            /** Not left within exitTimeout: buzzer and an alarm; no new crossing until they leave. */
            lingering: {
              entry: { type: 'alarm', params: { kind: 'raised', alarm: 'LINGER' } },
              exit: { type: 'alarm', params: { kind: 'cleared', alarm: 'LINGER' } },
              always: { guard: 'travellerLeft', target: 'closing' },
            },
            closing: { always: { guard: 'exitClosed', target: '#in_service.idle', actions: { type: 'finish', params: {} } } },
          },
        },
        /** Sent to the counter: exit shut, entry open until the mantrap is empty. */
        refused: {
          initial: 'open',
          states: {
            open: { always: { guard: 'mantrapEmpty', target: 'closing' } },
            closing: { always: { guard: 'entryClosed', target: '#in_service.idle', actions: { type: 'finish', params: {} } } },
          },
        },
      },
    },
    out_of_service: {
      id: 'out_of_service',
      entry: { type: 'modeChanged', params: { mode: 'out_of_service' } },
      always: [
        { guard: 'fireAlarm', target: '#emergency' },
        { guard: 'occupantOut', actions: 'clearRelease' },
        // Someone inside while out of service (a crossing cut short, a restart): let them out.
        { guard: 'occupiedWithoutCrossing', actions: assign({ releaseOccupant: true }) },
      ],
      // A commanded out-of-service is honoured while the gate is still recovering from a fault.
      on: {
        SET_MODE: [
          { guard: 'wantsMaintenance', target: '#maintenance' },
          { guard: 'wantsOutOfService', target: '.commanded' },
        ],
      },
      initial: 'faulty',
      states: {
        faulty: {
          entry: assign(({ context }) => ({ modeReason: context.faults.length || context.latched.length ? 'fault' : context.modeReason || 'recovering' })),
          always: { guard: 'noFaults', target: 'recovering' },
        },
        /** Every device healthy: back in service after healthyBeforeService without a new fault. */
        recovering: {
          always: { guard: 'notReady', target: 'faulty' },
          after: { healthyBeforeService: '#in_service' },
        },
        commanded: {
          entry: { type: 'assignModeReason', params: { reason: 'commanded' } },
          on: { SET_MODE: [{ guard: 'wantsInService', target: 'faulty' }, { guard: 'wantsMaintenance', target: '#maintenance' }] },
        },
      },
    },
    maintenance: {
      id: 'maintenance',
      // A technician on site has seen the forced door: maintenance clears the latch.
      entry: [{ type: 'modeChanged', params: { mode: 'maintenance' } }, { type: 'assignModeReason', params: { reason: 'maintenance' } }, 'clearLatched'],
      always: { guard: 'fireAlarm', target: '#emergency' },
      on: {
        SET_MODE: [
          { guard: 'wantsInService', target: '#out_of_service.faulty', actions: 'clearLatched' },
          { guard: 'wantsOutOfService', target: '#out_of_service.commanded' },
        ],
      },
    },
    emergency: {
      id: 'emergency',
      entry: [
        { type: 'modeChanged', params: { mode: 'emergency' } },
        { type: 'assignModeReason', params: { reason: 'fire_alarm' } },
        'journalEmergencyStarted',
      ],
      initial: 'active',
      states: {
        active: {
          always: { guard: 'noFireAlarm', target: 'awaiting_reset', actions: { type: 'journal', params: { event: 'emergency_ended', data: { cause: 'fire_alarm' } } } },
        },
        /**
         * The alarm has cleared: the lane is closed and out of service until a technician's
         * reset. The exit shuts at once (nobody crosses without a decision any more); whoever
         * is still inside leaves by the entry, which then shuts too.
         */
        awaiting_reset: {
          always: { guard: 'fireAlarm', target: 'active', actions: { type: 'journal', params: { event: 'emergency_started', data: { cause: 'fire_alarm' } } } },
          on: { RESET: { target: '#out_of_service.faulty', actions: 'journalReset' } },
          initial: 'releasing',
          states: {
            releasing: { always: { guard: 'mantrapEmpty', target: 'closed' } },
            closed: { always: { guard: 'mantrapOccupied', target: 'releasing' } },
          },
        },
      },
    },
  },
});
