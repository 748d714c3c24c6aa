import { readFileSync } from 'node:fs';
import type { SimCar } from '../../drivers/door/plant-traffic.ts';
import type { FaceEngine } from '../biometrics/index.ts';
import { SelfTestLane } from './self-test-lane.ts';
import { cameraView } from './self-test-view.ts';

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
export class VehicleSelfTestRig extends SelfTestLane {
  /** Crossings during which the arm was commanded up or seen off its down position, by outcome. */
  readonly armRoseIn: string[] = [];
  #armRose = false;

  constructor(engine: FaceEngine) {
    super(engine, 'vehicle');
  }

  /** One car pulls up, its driver presents the token and shows `face`; returns outcome/reason. */
  override async cross(face: string, boundMs: number): Promise<string> {
    const car = this.plant.car();
    const acted = new Set<string>();
    const n = this.finished.length;
    this.#armRose = false;
    // Through the open window the camera sees the driver from the moment the car stops.
    await this.camera.show(await cameraView(readFileSync(face)));
    car.arrive();
    await this.until(() => this.state.includes('waiting_token'), boundMs, 'the car at the window started no session on the twin');
    this.binding!.send({ type: 'TOKEN_READ', channel: 'qr', token: 'self-test' });
    await this.until(
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
    await this.until(
      () => {
        this.#watchArm();
        return this.state === 'in_service.idle' && (car.place === 'gone' || car.place === 'away');
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
  override doorsNeverOpenedWrongly(): boolean {
    return this.armRoseIn.every((o) => o === 'CLEARED');
  }

  #react(car: SimCar, acted: Set<string>): void {
    const s = this.state;
    const once = (k: string, fn: () => void): void => {
      if (!acted.has(k)) {
        acted.add(k);
        fn();
      }
    };
    if (s.startsWith('in_service.passing')) once('drive', () => void car.drive());
    else if ((s.startsWith('in_service.clearing') || s.startsWith('in_service.token_refused')) && car.place === 'approach') once('back', () => void car.reverse());
  }
}
