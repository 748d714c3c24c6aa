import { readFileSync } from 'node:fs';
import type { AnyStateMachine } from 'xstate';
import { cameraSection } from '../../config/sections/camera.ts';
import { doorSection } from '../../config/sections/door.ts';
import { timingsSection } from '../../config/sections/gate.ts';
import { SimulatedCamera } from '../../drivers/camera/twin.ts';
import { DoorPlant } from '../../drivers/door/plant.ts';
import type { SimCar } from '../../drivers/door/plant-traffic.ts';
import { DoorTwin } from '../../drivers/door/twin.ts';
import type { FaceEngine, FaceReference } from '../biometrics/index.ts';
import { SimulatedClock } from '../clock.ts';
import { CrossingBinding } from '../crossing/bind.ts';
import { silentLogger } from '../log.ts';
import { vehicleProfile } from '../profiles.ts';
import { cameraView, countingEngine, stepUntil, stopTwins } from './self-test-view.ts';

/**
 * The vehicle lane's self-test crossing (issue 18 item 2): the release's own vehicle
 * statechart and binding drive the barrier controller twin (the polled controller on the
 * plant's vehicle layout: one arm, loops approach/barrier/exit, simulated cars) — never the
 * lane's real barrier, which stays down with the lane out of service. A car pulls up on the
 * approach loop, its driver presents the token and faces the camera through the window; a
 * cleared car drives under the arm once it is up and over the exit loop, a refused one
 * reverses away. The arm may rise only for the cleared car.
 *
 * Time is simulated as in the pedestrian rig: one SimulatedClock stepped 5 ms at a time,
 * standing still while the engine judges a frame.
 */
export class VehicleSelfTestRig {
  readonly clock = new SimulatedClock();
  readonly plant = new DoorPlant({ clock: this.clock, layout: 'vehicle' });
  readonly camera = new SimulatedCamera(cameraSection.parse({ width: 640, height: 480, fps: 4, stallMs: 60_000 }), { clock: this.clock, log: silentLogger() });
  readonly door: DoorTwin;
  readonly finished: Record<string, unknown>[] = [];
  /** Crossings during which the arm was commanded up or seen off its down position, by outcome. */
  readonly armRoseIn: string[] = [];
  #binding: CrossingBinding | undefined;
  #state = '';
  #judging = new Set<Promise<unknown>>();
  #reference: FaceReference | undefined;
  #armRose = false;

  constructor(readonly engine: FaceEngine) {
    this.door = new DoorTwin(this.plant, doorSection.parse({ layout: 'vehicle', watchdogMs: 3000 }), { isControlLoopAlive: () => this.#binding?.isControlLoopAlive() ?? false });
  }

  async start(reference: FaceReference): Promise<void> {
    this.#reference = reference;
    this.plant.start();
    await this.camera.start();
    this.#binding = new CrossingBinding({
      machine: vehicleProfile.machine as AnyStateMachine,
      // Short budgets: the outcome is the same, the impostor is refused after fewer frames.
      input: {
        timings: timingsSection.parse({ healthyBeforeServiceMs: 500, faceBudgetMs: 3000, refusalDisplayMs: 500, vehicleTokenBudgetMs: 10_000, vehiclePassTimeoutMs: 10_000 }),
        newId: () => `self-test-${crypto.randomUUID()}`,
      },
      outputsFor: vehicleProfile.outputsFor,
      screenFor: vehicleProfile.screenFor,
      clock: this.clock,
      log: silentLogger(),
      door: this.door,
      camera: this.camera,
      engine: countingEngine(this.engine, this.#judging),
      checkToken: async () => ({ ok: true, tokenType: 'self_test', subject: 'self-test', reference: this.#reference }),
      journal: (type, data) => {
        if (type === 'crossing_finished') this.finished.push(data);
      },
      publish: (u) => (this.#state = u.state),
    });
    const started = this.door.start();
    let up = false;
    void started.then(() => (up = true));
    await this.#until(() => up, 5000, 'the barrier twin did not start');
    this.#binding.start();
    await this.#until(() => this.#state === 'in_service.idle', 10_000, 'the lane did not come into service on the twin');
  }

  /** One car pulls up, its driver presents the token and shows `face`; returns outcome/reason. */
  async cross(face: string, boundMs: number): Promise<string> {
    const car = this.plant.car();
    const acted = new Set<string>();
    const n = this.finished.length;
    this.#armRose = false;
    // Through the open window the camera sees the driver from the moment the car stops.
    await this.camera.show(await cameraView(readFileSync(face)));
    car.arrive();
    await this.#until(() => this.#state.includes('waiting_token'), boundMs, 'the car at the window started no session on the twin');
    this.#binding!.send({ type: 'TOKEN_READ', channel: 'qr', token: 'self-test' });
    await this.#until(
      () => {
        this.#react(car, acted);
        this.#watchArm();
        return this.finished.length > n;
      },
      boundMs,
      'the crossing did not finish on the twin',
    );
    const rec = this.finished[n]!;
    await this.camera.show(null);
    if (car.place === 'approach') void car.reverse();
    // Watched until the lane is idle again: an arm rising after a refusal counts too.
    await this.#until(
      () => {
        this.#watchArm();
        return this.#state === 'in_service.idle' && (car.place === 'gone' || car.place === 'away');
      },
      boundMs,
      'the lane did not return to idle on the twin',
    );
    if (this.#armRose) this.armRoseIn.push(String(rec.outcome));
    return `${String(rec.outcome)}/${String(rec.reason)}`;
  }

  /** Commanded up, or off its down position (the arm also reports a manual or faulty rise). */
  #watchArm(): void {
    if (this.plant.role('barrier_raise') === true || this.plant.role('barrier_down') === false) this.#armRose = true;
  }

  /** The arm rose only in CLEARED crossings. */
  doorsNeverOpenedWrongly(): boolean {
    return this.armRoseIn.every((o) => o === 'CLEARED');
  }

  #react(car: SimCar, acted: Set<string>): void {
    const s = this.#state;
    const once = (k: string, fn: () => void): void => {
      if (!acted.has(k)) {
        acted.add(k);
        fn();
      }
    };
    if (s.startsWith('in_service.passing')) once('drive', () => void car.drive());
    else if ((s.startsWith('in_service.clearing') || s.startsWith('in_service.token_refused')) && car.place === 'approach') once('back', () => void car.reverse());
  }

  #until(pred: () => boolean, maxMs: number, what: string): Promise<void> {
    return stepUntil(this.clock, this.#judging, pred, maxMs, what, () => this.#state);
  }

  async stop(): Promise<void> {
    this.#binding?.stop();
    await stopTwins(this.clock, Promise.all([this.door.stop(), this.camera.stop()]));
    this.plant.stop();
  }
}
