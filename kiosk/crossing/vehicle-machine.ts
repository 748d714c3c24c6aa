import { assign, emit, enqueueActions, not, setup, stateIn } from 'xstate';
import { clearedDoorLatches, forcedDoorLatch, laneGuards, resumeWithMode } from './lane-start.ts';
import type { CrossingInput } from './context.ts';
import type { CrossingEvent } from './events.ts';
import type { CrossingFact, JournalEventType } from './facts.ts';
import type { Mode, Outcome } from './outcomes.ts';
import { faceAttemptFact, modeChangeReason, tokenCheckedData, tokenIgnoredData, withFaceVerdict } from './shared-facts.ts';
import type { TokenVerdict } from './types.ts';
import { crossingActors } from './actors.ts';
import {
  armDown,
  armObstructed,
  atWindow,
  initialVehicleContext,
  newVehicleCrossing,
  pastArm,
  underArm,
  vehicleRecord,
  type VehicleContext,
  type VehicleCrossing,
} from './vehicle-context.ts';

/**
 * The vehicle e-Channel of gate-flow.md as one statechart, beside the pedestrian one and
 * built from the same parts: the token-check and face-loop actors, the journal facts of
 * shared-facts.ts, the modes, faults and emergency. A car stopping on loop_approach starts a
 * session; a face match raises the arm; the car passes loop_barrier then loop_exit; the arm
 * comes down. `armUp` in the context is the only thing that moves the arm, and it is
 * cleared only while nothing is under the arm, whatever order the loops report in.
 */

const vehicleExtraFaults = (ctx: VehicleContext): string[] => [...(ctx.loopFault ? ['loops'] : []), ...(armObstructed(ctx.io) ? ['barrier_obstructed'] : []), ...ctx.latched];
const healthy = (ctx: VehicleContext): boolean => ctx.faults.length === 0 && ctx.latched.length === 0 && !ctx.loopFault && !armObstructed(ctx.io);
/** Nothing under the arm, the arm commanded and reading down: no car can pass without a new decision. */
const laneShut = (ctx: VehicleContext): boolean => !underArm(ctx.io) && !ctx.armUp && armDown(ctx.io);
const withCrossing = (ctx: VehicleContext, patch: Partial<VehicleCrossing>): Partial<VehicleContext> =>
  ctx.crossing ? { crossing: { ...ctx.crossing, ...patch } } : {};

export const vehicleMachine = setup({
  types: {
    context: {} as VehicleContext,
    events: {} as CrossingEvent,
    input: {} as CrossingInput,
    emitted: {} as CrossingFact,
  },
  actors: crossingActors,
  delays: {
    tokenBudget: ({ context }) => context.timings.tokenBudgetMs,
    driverBudget: ({ context }) => context.timings.vehicleTokenBudgetMs,
    refusalDisplay: ({ context }) => context.timings.refusalDisplayMs,
    faceBudget: ({ context }) => context.timings.faceBudgetMs,
    passTimeout: ({ context }) => context.timings.vehiclePassTimeoutMs,
    healthyBeforeService: ({ context }) => context.timings.healthyBeforeServiceMs,
  },
  guards: {
    ...laneGuards,
    fireAlarm: ({ context }) => context.fireAlarm,
    /** Known to be off: a resumed emergency does not end before the fire input was read. */
    noFireAlarm: ({ context }) => context.fireKnown && !context.fireAlarm,
    unhealthy: ({ context }) => !healthy(context),
    /** Back to service only healthy and with the lane shut (after a fault or a restart, a car may still be under the arm). */
    readyForService: ({ context }) => healthy(context) && laneShut(context),
    notReadyForService: ({ context }) => !(healthy(context) && laneShut(context)),
    obstructed: ({ context }) => armObstructed(context.io),
    loopFault: ({ context }) => context.loopFault,
    inCrossing: ({ context }) => context.crossing !== null,
    carAtWindow: ({ context }) => atWindow(context.io),
    /** Nobody at the window or under the arm: the car that stopped has gone (backed away). */
    carGone: ({ context }) => !atWindow(context.io) && !underArm(context.io),
    laneClear: ({ context }) => !atWindow(context.io) && !underArm(context.io),
    underArm: ({ context }) => underArm(context.io),
    armFree: ({ context }) => !underArm(context.io),
    secondVehicle: ({ context }) => (context.io.registers.vehicle_count ?? 0) >= 2,
    passedArm: ({ context }) => context.crossing?.seenExit === true && !underArm(context.io),
    backAtWindow: ({ context }) => atWindow(context.io) && !underArm(context.io),
    reversedBeforeArm: ({ context }) => context.crossing?.seenUnder !== true && !atWindow(context.io) && !underArm(context.io),
    /** Down and locked: whatever stands on loop_barrier now is in front of a closed arm, not under it. */
    armIsDown: ({ context }) => armDown(context.io),
    underArmStillUp: ({ context }) => underArm(context.io) && !armDown(context.io),
    releasableArm: ({ context }) => context.armUp && !context.fireAlarm && !underArm(context.io),
    wantsMaintenance: ({ event }) => event.type === 'SET_MODE' && event.mode === 'maintenance',
    wantsOutOfService: ({ event }) => event.type === 'SET_MODE' && event.mode === 'out_of_service',
    wantsInService: ({ event }) => event.type === 'SET_MODE' && event.mode === 'in_service',
    tokenOk: ({ event }) => (event as unknown as { output: TokenVerdict }).output.ok,
    // A passenger's face beside the driver is normal in a car: only the dominant face decides.
    faceMatch: ({ event }) => event.type === 'FACE_RESULT' && event.result.decision === 'match',
    spoofConfirmed: ({ context, event }) =>
      event.type === 'FACE_RESULT' && event.result.decision === 'spoof' && (context.crossing?.spoofStreak ?? 0) + 1 >= context.padFrames,
  },
  actions: {
    raiseArm: assign({ armUp: true }),
    /**
     * A restarted gate adopts the arm as it finds it: raised over a vehicle it stays raised (it
     * comes down once the lane is clear); down and locked it stays down.
     */
    adoptArm: assign(({ context }) => ({ armUp: underArm(context.io) && !armDown(context.io) })),
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
    /** The never-onto-a-vehicle rule: a lowering asked for while anything is under the arm is not done. */
    lowerArm: assign(({ context }) => (underArm(context.io) ? {} : { armUp: false })),
    markTokenRead: assign(({ context, event }) =>
      withCrossing(context, { tokenReadAt: context.now(), channel: event.type === 'TOKEN_READ' ? event.channel : 'unknown' }),
    ),
    markTokenDone: assign(({ context }) => (context.crossing ? withCrossing(context, { marks: { ...context.crossing.marks, tokenDone: context.now() } }) : {})),
    /** Back at the window: whatever the loops saw so far was not a passage. */
    forgetPassage: assign(({ context }) => withCrossing(context, { seenUnder: false, seenExit: false })),
    markRaised: assign(({ context }) => withCrossing(context, { raisedAt: context.now() })),
    /** The outcome is decided; the session finishes when the lane says the car is through (or gone). */
    decide: assign(({ context }, params: { outcome: Outcome; reason: string }) =>
      context.crossing
        ? withCrossing(context, { outcome: params.outcome, reason: params.reason, marks: { ...context.crossing.marks, faceDone: context.crossing.marks.faceDone ?? context.now() } })
        : {},
    ),
    /** Emits crossing_finished (one per session) and clears the session and its reference from memory. */
    finish: enqueueActions(({ context, enqueue }, params: { outcome?: Outcome; reason?: string }) => {
      const c = context.crossing;
      if (!c) return;
      const outcome = params.outcome ?? c.outcome ?? 'ABORTED_FAULT';
      const reason = params.reason ?? c.reason;
      if (c.stalled) enqueue.emit({ type: 'journal', event: 'alarm_cleared', data: { alarm: 'PASS_TIMEOUT', crossing: c.id } });
      const faceDone = c.marks.faceDone ?? (outcome !== 'CLEARED' && c.marks.tokenDone !== undefined && c.token?.ok ? context.now() : undefined);
      const record = vehicleRecord(context, { ...c, marks: { ...c.marks, faceDone } }, outcome, reason);
      enqueue.emit({ type: 'journal', event: 'crossing_finished', data: { ...record } });
      enqueue.assign({ crossing: null, guidance: [], last: { outcome, reason } });
    }),
    abortCrossing: enqueueActions(({ context, enqueue }, params: { outcome: 'ABORTED_FAULT' | 'ABORTED_EMERGENCY'; reason?: string }) => {
      const c = context.crossing;
      if (!c) return;
      const reason = params.reason ?? (context.fireAlarm ? 'FIRE_ALARM' : context.loopFault ? 'LOOP_FAULT' : armObstructed(context.io) ? 'BARRIER_OBSTRUCTED' : 'DEVICE_FAULT');
      if (c.stalled) enqueue.emit({ type: 'journal', event: 'alarm_cleared', data: { alarm: 'PASS_TIMEOUT', crossing: c.id } });
      enqueue.emit({ type: 'journal', event: 'crossing_finished', data: { ...vehicleRecord(context, c, params.outcome, reason) } });
      enqueue.assign({ crossing: null, guidance: [], last: { outcome: params.outcome, reason } });
    }),
    alarm: emit(({ context }, params: { kind: 'raised' | 'cleared'; alarm: string }): CrossingFact => ({
      type: 'journal',
      event: params.kind === 'raised' ? 'alarm_raised' : 'alarm_cleared',
      data: { alarm: params.alarm, crossing: context.crossing?.id ?? null },
    })),
    stall: enqueueActions(({ context, enqueue }) => {
      if (!context.crossing) return;
      enqueue.emit({ type: 'journal', event: 'alarm_raised', data: { alarm: 'PASS_TIMEOUT', crossing: context.crossing.id } });
      enqueue.assign(withCrossing(context, { stalled: true }));
    }),
    raiseLoopFault: enqueueActions(({ enqueue }) => {
      enqueue.emit({ type: 'journal', event: 'device_fault', data: { device: 'loops', code: 'LOOP_FAULT' } });
      enqueue.assign({ loopFault: true });
    }),
    /** A technician taking the lane into maintenance has checked the loops. */
    clearLoopFault: enqueueActions(({ context, enqueue }) => {
      if (!context.loopFault) return;
      enqueue.emit({ type: 'journal', event: 'device_recovered', data: { device: 'loops' } });
      enqueue.assign({ loopFault: false });
    }),
    modeChanged: enqueueActions(({ context, event, enqueue }, params: { mode: Mode }) => {
      const reason = modeChangeReason(context as never, event, params.mode, vehicleExtraFaults(context));
      enqueue.emit({ type: 'journal', event: 'mode_changed', data: { from: context.mode, to: params.mode, reason } });
      enqueue.assign({ mode: params.mode });
    }),
    journal: emit((_, params: { event: JournalEventType; data: Record<string, unknown> }): CrossingFact => ({ type: 'journal', event: params.event, data: params.data })),
    assignModeReason: assign((_, params: { reason: string }) => ({ modeReason: params.reason })),
    assignToken: assign(({ context, event }) => withCrossing(context, { token: (event as unknown as { output: TokenVerdict }).output })),
    refuseToken: assign(({ context }, params: { reason?: string }) => {
      const c = context.crossing;
      if (!c) return {};
      const reason = params.reason ?? (c.token && !c.token.ok ? c.token.reason : 'CHECK_FAILED');
      return withCrossing(context, { outcome: 'REJECTED_TOKEN', reason });
    }),
    journalReset: emit(({ event }): CrossingFact => ({ type: 'journal', event: 'maintenance_action', data: { action: 'emergency_reset', by: event.type === 'RESET' ? event.by : 'unknown' } })),
    assignIo: assign(({ context, event }) => {
      if (event.type !== 'IO') return {};
      const c = context.crossing;
      // The first report ever (a start with the controller silent resumed without one): the
      // arm is adopted as found, so a raised arm over a vehicle is never commanded down.
      const armUp = context.ioKnown ? context.armUp : context.armUp || (underArm(event.io) && !armDown(event.io));
      if (!c || c.raisedAt === undefined) return { io: event.io, ioKnown: true, armUp };
      // Loops may report in any order: remember what the passage has shown so far. A car under
      // the arm and off loop_exit is not past it (it touched loop_exit and backed off again).
      const seenUnder = c.seenUnder || underArm(event.io);
      const seenExit = seenUnder && pastArm(event.io) ? true : underArm(event.io) ? false : c.seenExit;
      return { io: event.io, ioKnown: true, crossing: seenUnder === c.seenUnder && seenExit === c.seenExit ? c : { ...c, seenUnder, seenExit } };
    }),
    addFault: assign(({ context, event }) =>
      event.type === 'DEVICE_FAULT' && !context.faults.includes(event.device) ? { faults: [...context.faults, event.device] } : {},
    ),
    removeFault: assign(({ context, event }) => (event.type === 'DEVICE_OK' ? { faults: context.faults.filter((d) => d !== event.device) } : {})),
    assignFire: assign(({ event }) => (event.type === 'FIRE_ALARM' ? { fireAlarm: event.active, fireKnown: true } : {})),
    startCrossing: assign(({ context }) => ({ crossing: newVehicleCrossing(context) })),
    journalCrossingStarted: emit(({ context }): CrossingFact => ({
      type: 'journal',
      event: 'crossing_started',
      data: { crossing: context.crossing!.id, channel: null, token_type: null, trigger: 'loop_approach' },
    })),
    journalTokenChecked: emit(({ context }): CrossingFact => ({ type: 'journal', event: 'token_checked', data: tokenCheckedData(context.crossing, context.crossing?.tokenReadAt) })),
    journalTokenIgnored: emit(({ context, event }): CrossingFact => ({
      type: 'journal',
      event: 'token_checked',
      data: tokenIgnoredData(
        context.crossing?.id ?? null,
        event,
        // A refused car gets no second try at the window: it is directed to the staffed lane.
        context.crossing ? 'CROSSING_IN_PROGRESS' : atWindow(context.io) || underArm(context.io) ? 'SESSION_OVER' : 'NO_VEHICLE',
      ),
    })),
    recordFace: assign(({ context, event }) =>
      event.type !== 'FACE_RESULT' || !context.crossing ? {} : { guidance: event.result.issues, crossing: withFaceVerdict(context.crossing, event.result) },
    ),
    journalFaceAttempt: emit(({ context, event }): CrossingFact => (event.type === 'FACE_RESULT' ? faceAttemptFact(context.crossing, event.result) : { type: 'none' })),
  },
}).createMachine({
  id: 'vehicle',
  context: ({ input }) => initialVehicleContext(input),
  initial: 'starting',
  // Loops, faults and the fire alarm only update the context; states react through eventless
  // guards, so no state can miss a change by not listening for it.
  on: {
    IO: { actions: 'assignIo' },
    DEVICE_FAULT: { actions: 'addFault' },
    DEVICE_OK: { actions: 'removeFault' },
    FIRE_ALARM: { actions: 'assignFire' },
    DOOR_FORCED: { actions: 'latchForcedDoor' },
  },
  states: {
    /**
     * Nothing is decided, and the binding writes no output, before the controller has reported
     * the lane once (loops, arm, vehicle_count, fire input): a car may stand under an arm the
     * killed process had raised. The arm is adopted as found, then the lane resumes what the
     * last process persisted, or starts out of service.
     */
    starting: {
      always: [
        { guard: 'resumeEmergency', target: '#emergency', actions: ['adoptArm', 'markResumedEmergency'] },
        { guard: 'resumeAwaitingReset', target: '#emergency.awaiting_reset', actions: ['adoptArm', 'markResumedEmergency'] },
        { guard: 'resumeMaintenance', target: '#maintenance', actions: 'adoptArm' },
        { guard: 'resumeOutOfService', target: '#out_of_service.commanded', actions: 'adoptArm' },
        { guard: 'laneKnown', target: '#out_of_service.faulty', actions: 'adoptArm' },
      ],
      on: { SET_MODE: { actions: 'assignResumeMode' } },
    },
    in_service: {
      id: 'in_service',
      entry: [{ type: 'modeChanged', params: { mode: 'in_service' } }, { type: 'assignModeReason', params: { reason: '' } }],
      always: [
        { guard: 'fireAlarm', target: '#emergency', actions: [{ type: 'abortCrossing', params: { outcome: 'ABORTED_EMERGENCY' } }, 'raiseArm'] },
        { guard: 'doorForced', target: '#out_of_service.faulty', actions: { type: 'abortCrossing', params: { outcome: 'ABORTED_FAULT', reason: 'DOOR_FORCED' } } },
        { guard: 'unhealthy', target: '#out_of_service.faulty', actions: { type: 'abortCrossing', params: { outcome: 'ABORTED_FAULT' } } },
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
        /** Arm down, red lamp; a car stopping at the kiosk starts a session. */
        idle: {
          always: { guard: 'carAtWindow', target: 'session', actions: ['startCrossing', 'journalCrossingStarted'] },
        },
        session: {
          // The car backed away before the arm rose: the driver gave up.
          always: { guard: 'carGone', target: 'idle', actions: { type: 'finish', params: { outcome: 'ABANDONED', reason: 'REVERSED' } } },
          initial: 'waiting_token',
          states: {
            waiting_token: {
              on: { TOKEN_READ: { target: 'token_check', actions: 'markTokenRead' } },
              after: { driverBudget: { target: '#vehicle_clearing', actions: { type: 'finish', params: { outcome: 'ABANDONED', reason: 'NO_TOKEN' } } } },
            },
            token_check: {
              invoke: {
                src: 'checkToken',
                input: ({ event }) => (event.type === 'TOKEN_READ' ? { channel: event.channel, token: event.token } : { channel: 'unknown', token: null }),
                onDone: [
                  { guard: 'tokenOk', target: 'face', actions: ['assignToken', 'markTokenDone', 'journalTokenChecked'] },
                  { target: '#vehicle_token_refused', actions: ['assignToken', { type: 'refuseToken', params: {} }, 'markTokenDone', 'journalTokenChecked'] },
                ],
                onError: { target: '#vehicle_token_refused', actions: [{ type: 'refuseToken', params: { reason: 'CHECK_FAILED' } }, 'markTokenDone', 'journalTokenChecked'] },
              },
              after: {
                tokenBudget: { target: '#vehicle_token_refused', actions: [{ type: 'refuseToken', params: { reason: 'TOKEN_TIMEOUT' } }, 'markTokenDone', 'journalTokenChecked'] },
              },
            },
            /** The driver looks at the camera through the open window. */
            face: {
              invoke: { src: 'faceLoop', input: ({ context }) => ({ reference: context.crossing?.token?.ok ? context.crossing.token.reference : null }) },
              after: {
                faceBudget: { target: '#vehicle_clearing', actions: [{ type: 'decide', params: { outcome: 'REJECTED_FACE', reason: 'NO_MATCH' } }, { type: 'finish', params: {} }] },
              },
              on: {
                FACE_RESULT: [
                  { guard: 'faceMatch', target: '#vehicle_passing', actions: ['journalFaceAttempt', 'recordFace', { type: 'decide', params: { outcome: 'CLEARED', reason: 'OK' } }] },
                  {
                    guard: 'spoofConfirmed',
                    target: '#vehicle_clearing',
                    actions: ['journalFaceAttempt', 'recordFace', { type: 'decide', params: { outcome: 'REJECTED_PAD', reason: 'PRESENTATION_ATTACK' } }, { type: 'finish', params: {} }],
                  },
                  { actions: ['journalFaceAttempt', 'recordFace'] },
                ],
              },
            },
          },
        },
        /** Red lamp and the reason for refusalDisplayMs; the arm never moved. */
        token_refused: {
          id: 'vehicle_token_refused',
          entry: { type: 'finish', params: {} },
          always: { guard: 'laneClear', target: 'idle' },
          after: { refusalDisplay: 'clearing' },
        },
        /** Session over without a passage: the driver is sent to the staffed lane; idle once the car has gone. */
        clearing: {
          id: 'vehicle_clearing',
          always: { guard: 'laneClear', target: 'idle' },
        },
        /** A decision raised the arm: the car passes loop_barrier, then loop_exit. */
        passing: {
          id: 'vehicle_passing',
          entry: ['raiseArm', 'markRaised'],
          always: { guard: 'secondVehicle', target: 'tailgate' },
          // The car has not driven on: PASS_TIMEOUT. Not once it has left the arm forwards (between
          // the loops): a car that drove on is not stalled; if loop_exit never reports it, that is
          // the loop fault below, not a car blocking the lane.
          after: { passTimeout: { guard: not(stateIn('#vehicle_passing.between')), actions: 'stall' } },
          initial: 'waiting',
          states: {
            waiting: {
              always: [
                { guard: 'underArm', target: 'under' },
                { guard: 'reversedBeforeArm', target: '#vehicle_lowering', actions: { type: 'decide', params: { outcome: 'ABANDONED', reason: 'REVERSED' } } },
              ],
            },
            under: {
              always: [
                { guard: 'passedArm', target: '#vehicle_lowering' },
                { guard: 'backAtWindow', target: 'waiting', actions: 'forgetPassage' },
                { guard: 'armFree', target: 'between' },
              ],
            },
            /** Off loop_barrier, not yet on loop_exit: the car is in the gap between the loops. */
            between: {
              always: [
                { guard: 'passedArm', target: '#vehicle_lowering' },
                { guard: 'underArm', target: 'under' },
                { guard: 'backAtWindow', target: 'waiting', actions: 'forgetPassage' },
              ],
              // No loop has seen the car for this long: a loop is not reporting.
              after: { passTimeout: { actions: 'raiseLoopFault' } },
            },
          },
        },
        /** The car is through: the arm comes down; anything on loop_barrier now is a second vehicle. */
        lowering: {
          id: 'vehicle_lowering',
          entry: 'lowerArm',
          always: [
            { guard: 'underArmStillUp', target: 'tailgate' },
            { guard: 'armIsDown', target: 'idle', actions: { type: 'finish', params: {} } },
          ],
        },
        /** A second vehicle under the arm before it is down: alarm, arm held up, officer referral. */
        tailgate: {
          // The arm has not been down since the decision: it goes back up rather than onto the car.
          entry: [{ type: 'alarm', params: { kind: 'raised', alarm: 'TAILGATE' } }, { type: 'decide', params: { outcome: 'TAILGATE', reason: 'SECOND_VEHICLE' } }, 'raiseArm'],
          exit: { type: 'alarm', params: { kind: 'cleared', alarm: 'TAILGATE' } },
          always: { guard: 'armFree', target: 'lowering' },
        },
      },
    },
    out_of_service: {
      id: 'out_of_service',
      entry: { type: 'modeChanged', params: { mode: 'out_of_service' } },
      always: [
        { guard: 'fireAlarm', target: '#emergency', actions: 'raiseArm' },
        // An arm left up over a car (a fault mid-passage) comes down once the car has cleared.
        { guard: 'releasableArm', actions: 'lowerArm' },
      ],
      // A commanded out-of-service is honoured while the lane is still recovering from a fault.
      on: {
        SET_MODE: [
          { guard: 'wantsMaintenance', target: '#maintenance' },
          { guard: 'wantsOutOfService', target: '.commanded' },
        ],
      },
      initial: 'faulty',
      states: {
        faulty: {
          entry: assign(({ context }) => ({ modeReason: !healthy(context) ? 'fault' : context.modeReason || 'recovering' })),
          always: { guard: 'readyForService', target: 'recovering' },
        },
        recovering: {
          always: { guard: 'notReadyForService', target: 'faulty' },
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
      entry: [{ type: 'modeChanged', params: { mode: 'maintenance' } }, { type: 'assignModeReason', params: { reason: 'maintenance' } }, 'clearLoopFault', 'clearLatched'],
      always: [{ guard: 'fireAlarm', target: '#emergency', actions: 'raiseArm' }, { guard: 'releasableArm', actions: 'lowerArm' }],
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
        'raiseArm',
      ],
      initial: 'active',
      states: {
        active: {
          always: { guard: 'noFireAlarm', target: 'awaiting_reset', actions: { type: 'journal', params: { event: 'emergency_ended', data: { cause: 'fire_alarm' } } } },
        },
        /** The alarm has cleared: the arm comes down once nothing is under it; a technician's reset resumes service. */
        awaiting_reset: {
          always: [
            { guard: 'fireAlarm', target: 'active', actions: [{ type: 'journal', params: { event: 'emergency_started', data: { cause: 'fire_alarm' } } }, 'raiseArm'] },
            { guard: 'releasableArm', actions: 'lowerArm' },
          ],
          on: { RESET: { target: '#out_of_service.faulty', actions: 'journalReset' } },
        },
      },
    },
  },
});
