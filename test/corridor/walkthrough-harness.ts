import { createActor, fromCallback, type EventObject } from 'xstate';
import { timingsSection } from '../../config/sections/gate.ts';
import { SimulatedClock } from '../../kiosk/clock.ts';
import type { CrossingFact } from '../../kiosk/crossing/facts.ts';
import type { CorridorTrackReport } from '../../kiosk/corridor/passages.ts';
import { walkthroughMachine } from '../../kiosk/corridor/walkthrough-machine.ts';
import { walkthroughOutputs } from '../../kiosk/corridor/walkthrough-outputs.ts';
import { walkthroughScreen } from '../../kiosk/corridor/walkthrough-screen.ts';

const flush = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

/** The walk-through statechart on a simulated clock; corridor reports and sensors driven by hand. */
export class WalkthroughHarness {
  readonly clock = new SimulatedClock();
  readonly facts: CrossingFact[] = [];
  /** Events the corridor loop received from the machine (token taps). */
  readonly toLoop: EventObject[] = [];
  loops = 0;
  readonly actor;
  #inputs: Record<string, boolean> = { entry_closed: false, exit_closed: true, zone_approach: false, zone_mantrap: false, zone_exit: false, fire_alarm: false, tamper: false };

  constructor() {
    const clock = this.clock;
    let n = 0;
    const machine = walkthroughMachine.provide({
      actors: {
        corridorLoop: fromCallback(({ receive }) => {
          this.loops++;
          receive((e) => this.toLoop.push(e));
          return () => {
            this.loops--;
          };
        }),
      },
    });
    this.actor = createActor(machine, {
      clock: { setTimeout: (fn, ms) => clock.setTimeout(fn, ms), clearTimeout: (h) => clock.clearTimeout(h as never) },
      input: { timings: timingsSection.parse({}), now: () => clock.monotonic(), newId: () => `W${++n}` },
    });
    this.actor.on('*', (f) => this.facts.push(f as CrossingFact));
  }

  async inService(): Promise<this> {
    this.actor.start();
    this.io({});
    this.actor.send({ type: 'FIRE_ALARM', active: false });
    await this.advance(5000);
    return this;
  }

  io(i: Record<string, boolean>): void {
    Object.assign(this.#inputs, i);
    this.actor.send({ type: 'IO', io: { inputs: { ...this.#inputs }, registers: { mantrap_occupancy: 0, fault_bits: 0 } } });
  }

  corridor(...tracks: Partial<CorridorTrackReport>[]): void {
    this.actor.send({
      type: 'CORRIDOR',
      tracks: tracks.map((t, i) => ({ id: i + 1, z: 1, atExit: false, decision: null, subject: null, score: null, liveness: null, frames: 0, via: null, ...t })),
    });
  }

  async advance(ms: number): Promise<void> {
    this.clock.advance(ms);
    await flush();
  }

  value(): string {
    return JSON.stringify(this.actor.getSnapshot().value);
  }

  outputs() {
    return walkthroughOutputs(this.actor.getSnapshot());
  }

  screen() {
    return walkthroughScreen(this.actor.getSnapshot());
  }

  finished(): { outcome: string; reason: string }[] {
    return this.facts.flatMap((f) => (f.type === 'journal' && f.event === 'crossing_finished' ? [{ outcome: String(f.data.outcome), reason: String(f.data.reason) }] : []));
  }
}
