import { assign, emit, enqueueActions, fromCallback, sendTo, setup, type EventObject } from 'xstate';
import { initialContext, type CrossingInput } from '../crossing/context.ts';
import type { CrossingEvent } from '../crossing/events.ts';
import type { CrossingFact } from '../crossing/facts.ts';
import { clearedDoorLatches, forcedDoorLatch, laneGuards, resumeWithMode } from '../crossing/lane-start.ts';
import type { Mode } from '../crossing/outcomes.ts';
import { modeChangeReason } from '../crossing/shared-facts.ts';
import { atExitCount, finishedFact, front, reconcile, type CorridorEvent, type WalkthroughContext } from './passages.ts';

/**
 * The walk-through e-Channel (issue 19) as one statechart. The entry is an open doorway
 * (docs/decisions.md); the one door is the exit, and it opens only for the traveller in front
 * of it once the corridor loop has decided a match for that traveller's track. A second
 * track reaching the exit while it is open is tailgating. No I/O here: outputs follow the
 * state (walkthrough-outputs.ts), facts are emitted, and the corridor loop — cameras, tracker,
 * search — is an actor the binding provides.
 */

type Ev = CrossingEvent | CorridorEvent;
const io = (c: WalkthroughContext, role: string): boolean => c.io.inputs[role] === true;
const corridorEmpty = (c: WalkthroughContext): boolean => Object.keys(c.passages).length === 0 && !io(c, 'zone_mantrap');

export const walkthroughMachine = setup({
  types: { context: {} as WalkthroughContext, events: {} as Ev, input: {} as CrossingInput, emitted: {} as CrossingFact },
  actors: {
    corridorLoop: fromCallback<EventObject, Record<string, never>>(() => {
      throw new Error('corridorLoop not provided');
    }),
  },
  delays: {
    exitTimeout: ({ context }) => context.timings.exitTimeoutMs,
    healthyBeforeService: ({ context }) => context.timings.healthyBeforeServiceMs,
  },
  guards: {
    ...laneGuards,
    fireAlarm: ({ context }) => context.fireAlarm,
    noFireAlarm: ({ context }) => context.fireKnown && !context.fireAlarm,
    hasFaults: ({ context }) => context.faults.length > 0 || context.latched.length > 0,
    noFaults: ({ context }) => context.faults.length === 0 && context.latched.length === 0,
    /** The traveller nearest the exit is in front of it, decided a match, and alone there. */
    frontCleared: ({ context }) => {
      const f = front(context);
      return !!f && f.atExit && f.decision === 'match' && atExitCount(context) === 1;
    },
    /** Someone other than the traveller the door is open for has reached it. */
    secondAtExit: ({ context }) => Object.entries(context.passages).some(([id, p]) => p.last.atExit && Number(id) !== context.openFor),
    /** The traveller went through: the exit zone beyond the door saw them and is clear again. */
    throughExit: ({ context }) => context.exitZoneSeen && !io(context, 'zone_exit'),
    /** The traveller the door opened for went back into the corridor (stopped short of the door, turned). */
    backedOff: ({ context }) => !context.exitZoneSeen && context.openFor !== null && (!context.passages[context.openFor] || !context.passages[context.openFor]!.last.atExit),
    exitClosed: ({ context }) => io(context, 'exit_closed'),
    exitZoneClear: ({ context }) => !io(context, 'zone_exit') && atExitCount(context) <= 1,
    corridorEmpty: ({ context }) => corridorEmpty(context),
    wantsMaintenance: ({ event }) => event.type === 'SET_MODE' && event.mode === 'maintenance',
    wantsOutOfService: ({ event }) => event.type === 'SET_MODE' && event.mode === 'out_of_service',
    wantsInService: ({ event }) => event.type === 'SET_MODE' && event.mode === 'in_service',
  },
  actions: {
    assignIo: assign(({ context, event }) => {
      if (event.type !== 'IO') return {};
      const seen = context.openFor !== null && event.io.inputs.zone_exit === true;
      return { io: event.io, ioKnown: true, exitZoneSeen: context.exitZoneSeen || seen };
    }),
    addFault: assign(({ context, event }) => (event.type === 'DEVICE_FAULT' && !context.faults.includes(event.device) ? { faults: [...context.faults, event.device] } : {})),
    removeFault: assign(({ context, event }) => (event.type === 'DEVICE_OK' ? { faults: context.faults.filter((d) => d !== event.device) } : {})),
    assignFire: assign(({ event }) => (event.type === 'FIRE_ALARM' ? { fireAlarm: event.active, fireKnown: true } : {})),
    latchForcedDoor: enqueueActions(({ context, event, enqueue }) => {
      const r = forcedDoorLatch({ ...context, crossing: null }, event as CrossingEvent);
      if (!r) return;
      enqueue.emit(r.fact);
      enqueue.assign({ latched: r.latched });
    }),
    clearLatched: enqueueActions(({ context, event, enqueue }) => {
      const r = clearedDoorLatches(context, event as CrossingEvent);
      for (const f of r.facts) enqueue.emit(f);
      enqueue.assign({ latched: r.latched });
    }),
    assignResumeMode: assign(({ context, event }) => ({ resume: resumeWithMode(context, event as CrossingEvent) })),
    modeChanged: enqueueActions(({ context, event, enqueue }, params: { mode: Mode }) => {
      const reason = modeChangeReason(context, event as CrossingEvent, params.mode, context.latched);
      enqueue.emit({ type: 'journal', event: 'mode_changed', data: { from: context.mode, to: params.mode, reason } });
      enqueue.assign({ mode: params.mode });
    }),
    assignModeReason: assign((_, params: { reason: string }) => ({ modeReason: params.reason })),
    journal: emit((_, params: { event: 'alarm_raised' | 'alarm_cleared' | 'emergency_started' | 'emergency_ended'; data: Record<string, unknown> }): CrossingFact => ({ type: 'journal', event: params.event, data: params.data })),
    /** A corridor report: new passages start, decided ones are journalled, gone ones finish. */
    corridor: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'CORRIDOR') return;
      const r = reconcile(context, event.tracks);
      for (const f of r.facts) enqueue.emit(f);
      enqueue.assign({ passages: r.passages });
    }),
    /** A tap at the entry goes to the corridor loop, which checks it and pairs it with the next track. */
    forwardTap: sendTo('corridor', ({ event }) => event),
    openFor: assign(({ context }) => ({ openFor: front(context)?.id ?? null, exitZoneSeen: false })),
    /** The traveller the door was open for went through. */
    passed: assign(({ context }) => {
      const id = context.openFor;
      const p = id === null ? undefined : context.passages[id];
      return { openFor: null, exitZoneSeen: false, passages: p && id !== null ? { ...context.passages, [id]: { ...p, passed: true } } : context.passages };
    }),
    closeExit: assign({ openFor: null, exitZoneSeen: false }),
    /** Everyone at the exit who is not the traveller it opened for is a tailgater. */
    markTailgaters: assign(({ context }) => {
      const passages = { ...context.passages };
      for (const [id, p] of Object.entries(passages)) if (p.last.atExit && Number(id) !== context.openFor) passages[Number(id)] = { ...p, tailgated: true };
      return { passages };
    }),
    /** The gate left service: every passage ends ABORTED_*. */
    abortAll: enqueueActions(({ context, enqueue }, params: { outcome: 'ABORTED_FAULT' | 'ABORTED_EMERGENCY'; reason: string }) => {
      for (const p of Object.values(context.passages)) enqueue.emit(finishedFact(context, p, params));
      enqueue.assign({ passages: {}, openFor: null, exitZoneSeen: false });
    }),
  },
}).createMachine({
  id: 'walkthrough',
  context: ({ input }) => ({ ...initialContext(input), passages: {}, openFor: null, exitZoneSeen: false }),
  initial: 'starting',
  on: {
    IO: { actions: 'assignIo' },
    DEVICE_FAULT: { actions: 'addFault' },
    DEVICE_OK: { actions: 'removeFault' },
    FIRE_ALARM: { actions: 'assignFire' },
    DOOR_FORCED: { actions: 'latchForcedDoor' },
    TOKEN_READ: { actions: emit(({ event }) => ({ type: 'refused', what: `TOKEN_READ:${event.type === 'TOKEN_READ' ? event.channel : ''}`, reason: 'NOT_IN_SERVICE' }) as CrossingFact) },
  },
  states: {
    starting: {
      always: [
        { guard: 'resumeEmergency', target: '#walkthrough.emergency' },
        { guard: 'resumeAwaitingReset', target: '#walkthrough.emergency.awaiting_reset' },
        { guard: 'resumeMaintenance', target: '#walkthrough.maintenance' },
        { guard: 'resumeOutOfService', target: '#walkthrough.out_of_service.commanded' },
        { guard: 'laneKnown', target: '#walkthrough.out_of_service.faulty' },
      ],
      on: { SET_MODE: { actions: 'assignResumeMode' } },
    },
    in_service: {
      entry: [{ type: 'modeChanged', params: { mode: 'in_service' } }, { type: 'assignModeReason', params: { reason: '' } }],
      invoke: { id: 'corridor', src: 'corridorLoop', input: () => ({}) },
      always: [
        { guard: 'fireAlarm', target: 'emergency', actions: { type: 'abortAll', params: { outcome: 'ABORTED_EMERGENCY', reason: 'FIRE_ALARM' } } },
        { guard: 'doorForced', target: 'out_of_service', actions: { type: 'abortAll', params: { outcome: 'ABORTED_FAULT', reason: 'DOOR_FORCED' } } },
        { guard: 'hasFaults', target: 'out_of_service', actions: { type: 'abortAll', params: { outcome: 'ABORTED_FAULT', reason: 'DEVICE_FAULT' } } },
      ],
      on: {
        CORRIDOR: { actions: 'corridor' },
        CORRIDOR_FAULT: { actions: assign(({ context }) => ({ faults: context.faults.includes('corridor') ? context.faults : [...context.faults, 'corridor'] })) },
        TOKEN_READ: { actions: 'forwardTap' },
        SET_MODE: [
          { guard: 'wantsMaintenance', target: 'maintenance', actions: { type: 'abortAll', params: { outcome: 'ABORTED_FAULT', reason: 'MAINTENANCE' } } },
          { guard: 'wantsOutOfService', target: 'out_of_service.commanded', actions: { type: 'abortAll', params: { outcome: 'ABORTED_FAULT', reason: 'OUT_OF_SERVICE' } } },
        ],
      },
      initial: 'watching',
      states: {
        /** Exit shut; the sign at the end tells the front traveller what the corridor decided. */
        watching: { always: { guard: 'frontCleared', target: 'exit', actions: 'openFor' } },
        exit: {
          initial: 'open',
          states: {
            open: {
              always: [
                { guard: 'secondAtExit', target: '#walkthrough.in_service.tailgate', actions: 'markTailgaters' },
                { guard: 'throughExit', target: 'closing', actions: 'passed' },
                { guard: 'backedOff', target: 'closing', actions: 'closeExit' },
              ],
              after: { exitTimeout: 'lingering' },
            },
            lingering: {
              entry: { type: 'journal', params: { event: 'alarm_raised', data: { alarm: 'LINGER' } } },
              exit: { type: 'journal', params: { event: 'alarm_cleared', data: { alarm: 'LINGER' } } },
              always: [
                { guard: 'secondAtExit', target: '#walkthrough.in_service.tailgate', actions: 'markTailgaters' },
                { guard: 'throughExit', target: 'closing', actions: 'passed' },
                { guard: 'backedOff', target: 'closing', actions: 'closeExit' },
              ],
            },
            closing: { always: { guard: 'exitClosed', target: '#walkthrough.in_service.watching' } },
          },
        },
        /**
         * Two tracks reached the exit in one opening: the door closes (it stops rather than
         * crush, door-io.md), buzzer, the sign asks the second person to step back. Over when
         * the exit area holds one person again and the door is shut.
         */
        tailgate: {
          entry: { type: 'journal', params: { event: 'alarm_raised', data: { alarm: 'TAILGATE' } } },
          exit: [{ type: 'journal', params: { event: 'alarm_cleared', data: { alarm: 'TAILGATE' } } }, 'closeExit'],
          on: { CORRIDOR: { actions: ['corridor', 'markTailgaters'] } },
          always: { guard: ({ context }) => !io(context, 'zone_exit') && atExitCount(context) === 0 && io(context, 'exit_closed'), target: 'watching' },
        },
      },
    },
    out_of_service: {
      entry: { type: 'modeChanged', params: { mode: 'out_of_service' } },
      always: { guard: 'fireAlarm', target: 'emergency' },
      on: { SET_MODE: [{ guard: 'wantsMaintenance', target: 'maintenance' }, { guard: 'wantsOutOfService', target: '.commanded' }] },
      initial: 'faulty',
      states: {
        faulty: {
          entry: assign(({ context }) => ({ modeReason: context.faults.length || context.latched.length ? 'fault' : context.modeReason || 'recovering' })),
          always: { guard: 'noFaults', target: 'recovering' },
        },
        recovering: {
          always: { guard: 'hasFaults', target: 'faulty' },
          after: { healthyBeforeService: '#walkthrough.in_service' },
        },
        commanded: {
          entry: { type: 'assignModeReason', params: { reason: 'commanded' } },
          on: { SET_MODE: [{ guard: 'wantsInService', target: 'faulty' }, { guard: 'wantsMaintenance', target: '#walkthrough.maintenance' }] },
        },
      },
    },
    maintenance: {
      entry: [{ type: 'modeChanged', params: { mode: 'maintenance' } }, { type: 'assignModeReason', params: { reason: 'maintenance' } }, 'clearLatched'],
      always: { guard: 'fireAlarm', target: 'emergency' },
      on: {
        SET_MODE: [
          { guard: 'wantsInService', target: 'out_of_service.faulty', actions: 'clearLatched' },
          { guard: 'wantsOutOfService', target: 'out_of_service.commanded' },
        ],
      },
    },
    emergency: {
      entry: [{ type: 'modeChanged', params: { mode: 'emergency' } }, { type: 'assignModeReason', params: { reason: 'fire_alarm' } }],
      initial: 'active',
      states: {
        active: {
          entry: { type: 'journal', params: { event: 'emergency_started', data: { cause: 'fire_alarm' } } },
          always: { guard: 'noFireAlarm', target: 'awaiting_reset', actions: { type: 'journal', params: { event: 'emergency_ended', data: { cause: 'fire_alarm' } } } },
        },
        awaiting_reset: {
          always: { guard: 'fireAlarm', target: 'active' },
          on: { RESET: { target: '#walkthrough.out_of_service.faulty', actions: emit(({ event }) => ({ type: 'journal', event: 'maintenance_action', data: { action: 'emergency_reset', by: event.type === 'RESET' ? event.by : 'unknown' } }) as CrossingFact) } },
        },
      },
    },
  },
});

