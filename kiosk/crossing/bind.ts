import { createActor, fromCallback, fromPromise, type AnyActorRef, type AnyStateMachine, type SnapshotFrom } from 'xstate';
import type { Camera } from '../../drivers/camera/interface.ts';
import type { DoorController, DoorSnapshot } from '../../drivers/door/interface.ts';
import type { FaceEngine, FaceReference } from '../biometrics/index.ts';
import type { Clock, TimerHandle } from '../clock.ts';
import type { Logger } from '../log.ts';
import type { Screen } from '../display/messages.ts';
import { runFaceLoop } from './face-loop.ts';
import type { CrossingFact, JournalEventType } from './facts.ts';
import type { CrossingEvent } from './events.ts';
import type { CrossingInput } from './context.ts';
import type { TokenVerdict } from './types.ts';
import { laneStateOf } from './lane-state.ts';
import type { LaneResume } from './context.ts';
import { ForcedDoorWatch } from './forced-door.ts';

export interface CrossingBindingDeps {
  /** The profile's statechart (pedestrian or vehicle), with checkToken and faceLoop actors to provide. */
  machine: AnyStateMachine;
  input: Omit<CrossingInput, 'now'>;
  /** Coil roles → value for a state: the profile's outputs table. */
  outputsFor: (s: SnapshotFrom<AnyStateMachine>) => Record<string, boolean>;
  screenFor: (s: SnapshotFrom<AnyStateMachine>) => Screen;
  clock: Clock;
  log: Logger;
  door: DoorController;
  camera: Camera;
  engine: FaceEngine;
  checkToken: (channel: string, token: unknown) => Promise<TokenVerdict>;
  journal: (type: JournalEventType, data: Record<string, unknown>) => void;
  /** Published for the display page, status publisher and demo. */
  publish: (update: { screen: Screen; state: string; mode: string; outputs: Record<string, boolean> }) => void;
  /** Consecutive polls the fire input must agree on before it counts (door.fireAlarmPolls). */
  fireAlarmPolls?: number;
  /** Where the commanded mode and latched states are made durable (absent: not persisted). */
  laneState?: { save(state: LaneResume): void };
}

/** fault_bits of door-io.md → the device name the crossing engine tracks, per layout. */
const FAULT_BITS: Record<'pedestrian' | 'vehicle', [number, string][]> = {
  pedestrian: [
    [0, 'entry_motor'],
    [1, 'exit_motor'],
  ],
  vehicle: [[0, 'barrier_motor']],
};

export function stateName(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const [k, v] = Object.entries(value)[0] ?? ['', ''];
    const rest = stateName(v);
    return rest ? `${k}.${rest}` : k;
  }
  return '';
}

/**
 * Connects a crossing statechart to the gate's devices. This is where side effects live:
 * door outputs follow the state table (re-asserted whenever the controller's read-back
 * disagrees, e.g. after a watchdog trip), facts go to the journal, sensor changes and
 * device faults become machine events, and the face loop runs while the machine asks.
 */
export class CrossingBinding {
  readonly actor: AnyActorRef;
  readonly #d: CrossingBindingDeps;
  readonly #unsubs: (() => void)[] = [];
  #desired: Record<string, boolean> = {};
  #writing = false;
  #rewrite = false;
  #lastTick = 0;
  #tick: TimerHandle | undefined;
  #faultBits = 0;
  #obstructed = false;
  #published = '';
  /** Technician's hand commands (maintenance only), laid over the state's table until cleared. */
  #manual: Record<string, boolean> = {};
  /** Fire input debounce: the value reported to the machine, and the run of equal polls seen. */
  #fireReported: boolean | undefined;
  #fireRun = { value: false, polls: 0 };
  #forced: ForcedDoorWatch;
  /** Why the lane state could not be saved (a command must not be acknowledged then). */
  stateSaveError: string | null = null;

  constructor(deps: CrossingBindingDeps) {
    this.#d = deps;
    this.#forced = new ForcedDoorWatch(deps.door.layout);
    const { camera, engine, log } = deps;
    const machine = deps.machine.provide({
      actors: {
        checkToken: fromPromise<TokenVerdict, { channel: string; token: unknown }>(({ input }) => deps.checkToken(input.channel, input.token)),
        faceLoop: fromCallback<CrossingEvent, { reference: FaceReference | null }>(({ sendBack, input }) => {
          if (!input.reference) return () => {};
          return runFaceLoop(
            { camera, engine, onError: (err) => log.warn({ err: (err as Error).message }, 'face frame failed') },
            input.reference,
            (result) => sendBack({ type: 'FACE_RESULT', result }),
          );
        }),
      },
    });
    this.actor = createActor(machine, {
      clock: { setTimeout: (fn: () => void, ms: number) => deps.clock.setTimeout(fn, ms), clearTimeout: (h: unknown) => deps.clock.clearTimeout(h as TimerHandle) },
      input: { ...deps.input, now: () => deps.clock.monotonic() },
    });
  }

  /** True while the control loop ticks; the door driver sends heartbeats only then. */
  isControlLoopAlive = (): boolean => this.#d.clock.monotonic() - this.#lastTick < 1000;

  send(event: CrossingEvent): void {
    this.actor.send(event);
  }

  start(): void {
    const d = this.#d;
    this.#lastTick = d.clock.monotonic();
    this.#tick = d.clock.setInterval(() => {
      this.#lastTick = d.clock.monotonic();
      this.#reassert();
    }, 200);
    this.#unsubs.push(
      this.actor.on('*', (fact: CrossingFact) => {
        if (fact.type === 'journal') d.journal(fact.event, fact.data);
        else if (fact.type === 'refused') d.log.info({ what: fact.what, reason: fact.reason }, 'command refused by the crossing engine');
      }).unsubscribe,
    );
    const sub = this.actor.subscribe((s: SnapshotFrom<AnyStateMachine>) => {
      this.#saveLaneState(s);
      const mode = stateName(s.value).split('.')[0];
      if (mode !== 'maintenance' && mode !== 'out_of_service') this.#manual = {};
      // Nothing is written before the lane has been read once (a restart may find a car
      // under a raised arm, or someone in a doorway): the state table applies from then on.
      this.#desired = mode === 'starting' ? {} : { ...d.outputsFor(s), ...this.#manual };
      this.#forced.commanded(this.#desired, d.clock.monotonic());
      this.#write();
      const state = stateName(s.value);
      const update = { screen: d.screenFor(s), state, mode: state.split('.')[0] ?? state, outputs: this.#desired };
      const key = JSON.stringify(update);
      if (key !== this.#published) {
        this.#published = key;
        d.publish(update);
      }
    });
    this.#unsubs.push(() => sub.unsubscribe());
    this.actor.start();

    this.#unsubs.push(
      d.door.on('change', (c) => this.#onIo(c.snapshot)),
      d.door.on('poll', (snap) => this.#onPoll(snap)),
      d.door.on('fault', (err) => {
        d.journal('device_fault', { device: 'controller', code: err.code });
        this.send({ type: 'DEVICE_FAULT', device: 'controller', code: err.code });
      }),
      d.door.on('recovered', (snap) => {
        d.journal('device_recovered', { device: 'controller' });
        this.#onIo(snap);
        this.send({ type: 'DEVICE_OK', device: 'controller' });
        this.#rewrite = true;
        this.#write();
      }),
      d.camera.on('fault', (err) => {
        d.journal('device_fault', { device: 'camera', code: err.code });
        this.send({ type: 'DEVICE_FAULT', device: 'camera', code: err.code });
      }),
      d.camera.on('recovered', () => {
        d.journal('device_recovered', { device: 'camera' });
        this.send({ type: 'DEVICE_OK', device: 'camera' });
      }),
    );
    if (d.door.healthy) {
      this.#onIo(d.door.snapshot());
    } else {
      this.send({ type: 'DEVICE_FAULT', device: 'controller', code: 'NOT_CONNECTED' });
    }
    if (d.camera.faulted) this.send({ type: 'DEVICE_FAULT', device: 'camera', code: 'NOT_STARTED' });
  }

  /**
   * Outputs commanded by hand (door open/close by a technician). The caller checks the mode;
   * leaving maintenance or out-of-service drops them, so service never starts with a door held.
   */
  setManualOutputs(outputs: Record<string, boolean>): void {
    this.#manual = { ...this.#manual, ...outputs };
    this.#desired = { ...this.#desired, ...outputs };
    this.#forced.commanded(this.#desired, this.#d.clock.monotonic());
    this.#write();
  }

  stop(): void {
    this.#d.clock.clearInterval(this.#tick);
    for (const u of this.#unsubs.splice(0)) u();
    this.actor.stop();
  }

  #onIo(snap: DoorSnapshot): void {
    const d = this.#d;
    this.send({ type: 'IO', io: { inputs: { ...snap.inputs }, registers: { ...snap.registers } } });
    const tamper = snap.inputs.tamper === true;
    const faults = this.actor.getSnapshot().context.faults as string[];
    if (tamper !== faults.includes('tamper')) {
      d.journal(tamper ? 'device_fault' : 'device_recovered', { device: 'tamper', code: tamper ? 'CABINET_OPEN' : 'CLOSED' });
      this.send(tamper ? { type: 'DEVICE_FAULT', device: 'tamper', code: 'CABINET_OPEN' } : { type: 'DEVICE_OK', device: 'tamper' });
    }
    const bits = snap.registers.fault_bits ?? 0;
    if (bits !== this.#faultBits) {
      for (const [bit, device] of FAULT_BITS[d.door.layout]) {
        const now = (bits >> bit) & 1;
        if (now !== ((this.#faultBits >> bit) & 1)) {
          d.journal(now ? 'device_fault' : 'device_recovered', { device, code: now ? 'MOTOR_FAULT' : 'OK' });
          this.send(now ? { type: 'DEVICE_FAULT', device, code: 'MOTOR_FAULT' } : { type: 'DEVICE_OK', device });
        }
      }
      const obstructed = ((bits >> 2) & 1) === 1;
      if (obstructed !== this.#obstructed) d.journal(obstructed ? 'alarm_raised' : 'alarm_cleared', { alarm: 'OBSTRUCTION' });
      this.#obstructed = obstructed;
      this.#faultBits = bits;
    }
  }

  /**
   * Every complete poll: the fire input counts only after `fireAlarmPolls` consecutive polls
   * agree (one noisy poll must neither open the border nor end an emergency), and is reported
   * once at start-up whatever its value; a door that opens while commanded shut is forced.
   */
  #onPoll(snap: DoorSnapshot): void {
    const fire = snap.inputs.fire_alarm === true;
    this.#fireRun = fire === this.#fireRun.value ? { value: fire, polls: this.#fireRun.polls + 1 } : { value: fire, polls: 1 };
    if (this.#fireRun.polls >= (this.#d.fireAlarmPolls ?? 2) && fire !== this.#fireReported) {
      this.#fireReported = fire;
      this.send({ type: 'FIRE_ALARM', active: fire });
    }
    const door = this.#forced.check(snap);
    if (door) {
      this.#d.log.error({ door }, 'door forced: open while commanded closed');
      this.send({ type: 'DOOR_FORCED', door });
    }
  }

  /** Makes the commanded mode and latched states durable whenever they change (fails closed). */
  #saveLaneState(s: SnapshotFrom<AnyStateMachine>): void {
    const store = this.#d.laneState;
    if (!store) return;
    try {
      store.save(laneStateOf(s));
      this.stateSaveError = null;
    } catch (err) {
      this.stateSaveError = (err as Error).message;
      this.#d.log.error({ code: (err as { code?: string }).code, err: this.stateSaveError }, 'lane state not saved');
      const faults = s.context.faults as string[];
      if (!faults.includes('state_store')) queueMicrotask(() => this.send({ type: 'DEVICE_FAULT', device: 'state_store', code: 'LANE_STATE_IO' }));
    }
  }

  /** Re-writes the table when the controller's read-back disagrees (after a trip or a reconnect). */
  #reassert(): void {
    const door = this.#d.door;
    if (!door.healthy) return;
    const back = door.snapshot().outputs;
    if (Object.entries(this.#desired).some(([role, v]) => role in back && back[role] !== v)) {
      this.#rewrite = true;
      this.#write();
    }
  }

  /** One write in flight; the latest table wins (a stale intermediate state is never written after a newer one). */
  #write(): void {
    if (this.#writing) {
      this.#rewrite = true;
      return;
    }
    const door = this.#d.door;
    // Nothing commanded yet (starting: the lane has not been read) or the controller silent.
    if (!door.healthy || Object.keys(this.#desired).length === 0) return;
    this.#writing = true;
    this.#rewrite = false;
    const table = { ...this.#desired };
    door
      .setOutputs(table)
      .catch((err: unknown) => this.#d.log.warn({ code: (err as { code?: string }).code }, 'door command failed; will re-assert'))
      .finally(() => {
        this.#writing = false;
        if (this.#rewrite) this.#write();
      });
  }
}
