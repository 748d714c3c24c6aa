import { pedestrianMachine } from '../../kiosk/crossing/pedestrian-machine.ts';
import { pedestrianOutputs } from '../../kiosk/crossing/pedestrian-outputs.ts';
import { CrossingHarness, type RestartSetup, type Verdicts } from './harness-core.ts';

/** A pedestrian crossing engine on a simulated clock, with hand-driven doors, zones and occupancy. */
export class PedestrianHarness extends CrossingHarness<typeof pedestrianMachine> {
  constructor(verdicts: Verdicts, restart: RestartSetup = {}) {
    super(pedestrianMachine, {
      verdicts,
      idPrefix: 'X',
      inputs: { entry_closed: true, exit_closed: true, zone_approach: false, zone_mantrap: false, zone_exit: false, fire_alarm: false, tamper: false, ...restart.inputs },
      registers: { mantrap_occupancy: 0, fault_bits: 0, ...restart.registers },
      ...(restart.resume ? { resume: restart.resume } : {}),
    });
  }

  state(): unknown {
    return this.actor.getSnapshot().value;
  }

  outputs() {
    return pedestrianOutputs(this.actor.getSnapshot());
  }

  /** A traveller walks in after the entry door opened, and the door closes behind them. */
  walkIn(): void {
    this.io({ entry_closed: false });
    this.io({ zone_approach: false, zone_mantrap: true }, { mantrap_occupancy: 1 });
    this.io({ entry_closed: true });
  }

  /** The traveller leaves by the exit: exit zone, mantrap empty, exit closes. */
  walkOut(): void {
    this.io({ exit_closed: false });
    this.io({ zone_mantrap: false, zone_exit: true }, { mantrap_occupancy: 0 });
    this.io({ zone_exit: false });
    this.io({ exit_closed: true });
  }
}

export function pedestrianHarness(verdicts: Verdicts = {}, restart: RestartSetup = {}): PedestrianHarness {
  return new PedestrianHarness(verdicts, restart);
}
