import type { AnyStateMachine } from 'xstate';
import { doorSection } from '../../config/sections/door.ts';
import { timingsSection } from '../../config/sections/gate.ts';
import type { Camera } from '../../drivers/camera/interface.ts';
import type { DoorLayout } from '../../drivers/door/interface.ts';
import { DoorPlant } from '../../drivers/door/plant.ts';
import { DoorTwin } from '../../drivers/door/twin.ts';
import type { FaceEngine } from '../../kiosk/biometrics/index.ts';
import { SimulatedClock } from '../../kiosk/clock.ts';
import { CrossingBinding } from '../../kiosk/crossing/bind.ts';
import { LaneStateFile } from '../../kiosk/crossing/lane-state.ts';
import { silentLogger } from '../../kiosk/log.ts';
import { pedestrianProfile, vehicleProfile } from '../../kiosk/profiles.ts';

/** A camera that never faults and is never asked for a frame (no token is presented here). */
const idleCamera = { faulted: false, on: () => () => {} } as unknown as Camera;

/**
 * One lane as the gate process runs it, minus the readers and the face engine: the real
 * binding and statechart, the door twin (the real polled controller) on the plant model, all
 * on one simulated clock, and the lane-state file in `stateDir`. A "restart" is a new rig on
 * the same plant, clock and directory: only the plant and the file survive.
 */
export class LaneRig {
  readonly journal: { type: string; data: Record<string, unknown> }[] = [];
  readonly states: string[] = [];
  readonly screens: string[] = [];
  /** Every table the binding asked the controller to write, with the lane as the plant had it then. */
  readonly writes: { table: Record<string, boolean>; loopBarrier: boolean }[] = [];
  readonly binding: CrossingBinding;
  readonly door: DoorTwin;

  constructor(
    readonly plant: DoorPlant,
    readonly clock: SimulatedClock,
    stateDir: string,
    opts: { fireAlarmPolls?: number } = {},
  ) {
    const layout = plant.layout;
    const profile = layout === 'vehicle' ? vehicleProfile : pedestrianProfile;
    const config = doorSection.parse({ layout, watchdogMs: 3000 });
    let binding: CrossingBinding | undefined;
    this.door = new DoorTwin(plant, config, { isControlLoopAlive: () => binding?.isControlLoopAlive() ?? false });
    const setOutputs = this.door.setOutputs.bind(this.door);
    this.door.setOutputs = (table) => {
      this.writes.push({ table: { ...(table as Record<string, boolean>) }, loopBarrier: layout === 'vehicle' && plant.role('loop_barrier') === true });
      return setOutputs(table);
    };
    const laneState = new LaneStateFile(`${stateDir}/lane-state.json`);
    binding = new CrossingBinding({
      machine: profile.machine as AnyStateMachine,
      input: { timings: timingsSection.parse({ healthyBeforeServiceMs: 500 }), newId: () => crypto.randomUUID(), resume: laneState.load() },
      outputsFor: profile.outputsFor,
      screenFor: profile.screenFor,
      clock,
      log: silentLogger(),
      door: this.door,
      camera: idleCamera,
      engine: {} as FaceEngine,
      checkToken: async () => ({ ok: false, tokenType: 'mobile', reason: 'REVOKED' }),
      journal: (type, data) => this.journal.push({ type, data }),
      publish: (u) => {
        if (this.states.at(-1) !== u.state) this.states.push(u.state);
        if (this.screens.at(-1) !== u.screen.screen) this.screens.push(u.screen.screen);
      },
      laneState,
      ...(opts.fireAlarmPolls ? { fireAlarmPolls: opts.fireAlarmPolls } : {}),
    });
    this.binding = binding;
  }

  get state(): string {
    return this.states.at(-1) ?? '';
  }

  /** Starts the door link and the binding, as Gate.start() does. */
  async start(): Promise<this> {
    const started = this.door.start();
    let done = false;
    void started.then(() => (done = true));
    for (let t = 0; t < 5000 && !done; t += 5) await this.wait(5);
    this.binding.start();
    return this;
  }

  /** Lets `ms` of simulated time pass in 5 ms steps, promises settling between steps. */
  async wait(ms: number): Promise<void> {
    for (let t = 0; t < ms; t += 5) {
      this.clock.advance(Math.min(5, ms - t));
      await new Promise((r) => setImmediate(r));
    }
  }

  /** Waits (simulated time) until `pred` holds; returns the simulated ms it took, or -1. */
  async until(pred: () => boolean, maxMs: number): Promise<number> {
    const from = this.clock.monotonic();
    for (let t = 0; t <= maxMs; t += 5) {
      if (pred()) return this.clock.monotonic() - from;
      await this.wait(5);
    }
    return pred() ? this.clock.monotonic() - from : -1;
  }

  /** The process dies: its timers stop and its memory is gone; no state is saved on the way out. */
  async kill(): Promise<void> {
    this.binding.stop();
    const stopping = this.door.stop();
    await this.wait(20);
    await stopping;
  }
}

export function lanePlant(layout: DoorLayout, clock: SimulatedClock): DoorPlant {
  const plant = new DoorPlant({ clock, layout });
  plant.start();
  return plant;
}
