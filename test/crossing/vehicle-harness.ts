import { vehicleMachine } from '../../kiosk/crossing/vehicle-machine.ts';
import { vehicleOutputs } from '../../kiosk/crossing/vehicle-outputs.ts';
import { vehicleScreen } from '../../kiosk/display/vehicle-screen.ts';
import { CrossingHarness, type RestartSetup, type Verdicts } from './harness-core.ts';

/** A vehicle-lane crossing engine on a simulated clock, with hand-driven loops and barrier. */
export class VehicleHarness extends CrossingHarness<typeof vehicleMachine> {
  constructor(verdicts: Verdicts, timings: Record<string, number>, restart: RestartSetup = {}) {
    super(vehicleMachine, {
      verdicts,
      timings,
      idPrefix: 'V',
      inputs: { barrier_down: true, loop_approach: false, loop_barrier: false, loop_exit: false, fire_alarm: false, tamper: false, ...restart.inputs },
      registers: { vehicle_count: 0, fault_bits: 0, ...restart.registers },
      ...(restart.resume ? { resume: restart.resume } : {}),
    });
  }

  /** The state as one string: the vehicle tests compare and print it whole. */
  state(): string {
    return JSON.stringify(this.actor.getSnapshot().value);
  }

  outputs() {
    return vehicleOutputs(this.actor.getSnapshot());
  }

  screen() {
    return vehicleScreen(this.actor.getSnapshot());
  }

  outcomes() {
    return this.finished().map((r) => [r.outcome, r.reason]);
  }

  /** A car pulls up and stops at the kiosk. */
  arrive(): void {
    this.io({ loop_approach: true });
  }

  /** Arrive, present a token, and get a face match: the arm is commanded up. */
  async toPassing(token = 'alice'): Promise<void> {
    this.arrive();
    await this.advance(2000);
    await this.token(token);
    await this.advance(300);
    this.face({ decision: 'match', score: 0.74 });
  }

  /** The arm rises, the car drives under it and past loop_exit (loops in the usual order). */
  driveThrough(): void {
    this.io({ barrier_down: false });
    this.io({ loop_approach: false, loop_barrier: true }, { vehicle_count: 1 });
    this.io({ loop_barrier: false, loop_exit: true }, { vehicle_count: 0 });
    this.io({ loop_exit: false });
  }
}

export function vehicleHarness(verdicts: Verdicts = {}, timings: Record<string, number> = {}, restart: RestartSetup = {}): VehicleHarness {
  return new VehicleHarness(verdicts, timings, restart);
}
