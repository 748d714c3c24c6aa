import type { AnyStateMachine } from 'xstate';
import { cameraSection } from '../../config/sections/camera.ts';
import { doorSection } from '../../config/sections/door.ts';
import { timingsSection } from '../../config/sections/gate.ts';
import { SimulatedCamera } from '../../drivers/camera/twin.ts';
import type { DoorLayout } from '../../drivers/door/interface.ts';
import { DoorPlant } from '../../drivers/door/plant.ts';
import { DoorTwin } from '../../drivers/door/twin.ts';
import type { FaceEngine, FaceReference } from '../biometrics/index.ts';
import { SimulatedClock } from '../clock.ts';
import { CrossingBinding } from '../crossing/bind.ts';
import { silentLogger } from '../log.ts';
import { pedestrianProfile, vehicleProfile } from '../profiles.ts';
import { countingEngine, stepUntil, stopTwins } from './self-test-view.ts';

/**
 * The lane both self-test rigs drive (pedestrian door, vehicle barrier): the release's own
 * statechart and binding for the layout, on the controller twin over a plant model, a camera
 * twin and one SimulatedClock — never the lane's real doors or arm. The rigs differ only in
 * who walks or drives through; everything a lane needs to come into service is here once.
 */
export abstract class SelfTestLane {
  readonly clock = new SimulatedClock();
  readonly plant: DoorPlant;
  readonly camera = new SimulatedCamera(cameraSection.parse({ width: 640, height: 480, fps: 4, stallMs: 60_000 }), { clock: this.clock, log: silentLogger() });
  readonly door: DoorTwin;
  /** The `crossing_finished` records the binding journalled, in order. */
  readonly finished: Record<string, unknown>[] = [];
  protected binding: CrossingBinding | undefined;
  /** The statechart's state as the binding last published it. */
  protected state = '';
  readonly #judging = new Set<Promise<unknown>>();
  #reference: FaceReference | undefined;

  constructor(
    readonly engine: FaceEngine,
    readonly layout: DoorLayout,
  ) {
    this.plant = new DoorPlant({ clock: this.clock, layout });
    this.door = new DoorTwin(this.plant, doorSection.parse({ layout, watchdogMs: 3000 }), { isControlLoopAlive: () => this.binding?.isControlLoopAlive() ?? false });
  }

  /** Starts the twins and the binding with `reference` as every token's face; resolves once the lane is idle in service. */
  async start(reference: FaceReference): Promise<void> {
    this.#reference = reference;
    this.plant.start();
    await this.camera.start();
    const profile = this.layout === 'vehicle' ? vehicleProfile : pedestrianProfile;
    this.binding = new CrossingBinding({
      machine: profile.machine as AnyStateMachine,
      // Short budgets: the outcome is the same, the impostor is refused after fewer frames.
      input: {
        timings: timingsSection.parse({ healthyBeforeServiceMs: 500, faceBudgetMs: 3000, refusalDisplayMs: 500, ...(this.layout === 'vehicle' ? { vehicleTokenBudgetMs: 10_000, vehiclePassTimeoutMs: 10_000 } : {}) }),
        newId: () => `self-test-${crypto.randomUUID()}`,
      },
      outputsFor: profile.outputsFor,
      screenFor: profile.screenFor,
      clock: this.clock,
      log: silentLogger(),
      door: this.door,
      camera: this.camera,
      engine: countingEngine(this.engine, this.#judging),
      checkToken: async () => ({ ok: true, tokenType: 'self_test', subject: 'self-test', reference: this.#reference }),
      journal: (type, data) => {
        if (type === 'crossing_finished') this.finished.push(data);
      },
      publish: (u) => (this.state = u.state),
    });
    const started = this.door.start();
    let up = false;
    void started.then(() => (up = true));
    await this.until(() => up, 5000, `the ${this.layout === 'vehicle' ? 'barrier' : 'door'} twin did not start`);
    this.binding.start();
    await this.until(() => this.state === 'in_service.idle', 10_000, 'the lane did not come into service on the twin');
  }

  /** One traveller or car through the lane with `face`; resolves to "OUTCOME/REASON". */
  abstract cross(face: string, boundMs: number): Promise<string>;

  /** The doors (or the arm) opened only in CLEARED crossings. */
  abstract doorsNeverOpenedWrongly(): boolean;

  protected until(pred: () => boolean, maxMs: number, what: string): Promise<void> {
    return stepUntil(this.clock, this.#judging, pred, maxMs, what, () => this.state);
  }

  async stop(): Promise<void> {
    this.binding?.stop();
    await stopTwins(this.clock, Promise.all([this.door.stop(), this.camera.stop()]));
    this.plant.stop();
  }
}
