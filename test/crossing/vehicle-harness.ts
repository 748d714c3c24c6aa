import { createActor, fromCallback, fromPromise, type Actor } from 'xstate';
import { timingsSection } from '../../config/sections/gate.ts';
import { SimulatedClock } from '../../kiosk/clock.ts';
import type { CrossingFact } from '../../kiosk/crossing/facts.ts';
import type { CrossingRecord, FaceVerdict, TokenVerdict } from '../../kiosk/crossing/types.ts';
import { vehicleMachine } from '../../kiosk/crossing/vehicle-machine.ts';
import { vehicleOutputs } from '../../kiosk/crossing/vehicle-outputs.ts';
import { vehicleScreen } from '../../kiosk/display/vehicle-screen.ts';
import { flush, type Verdicts } from './harness.ts';

/** A vehicle-lane crossing engine on a simulated clock, with hand-driven loops and barrier. */
export function vehicleHarness(verdicts: Verdicts = {}, timings: Record<string, number> = {}) {
  const clock = new SimulatedClock();
  const facts: CrossingFact[] = [];
  let faceLoops = 0;
  let faceLoopsStopped = 0;
  const machine = vehicleMachine.provide({
    actors: {
      checkToken: fromPromise<TokenVerdict, { channel: string; token: unknown }>(async ({ input }) => {
        const v = verdicts[String(input.token)] ?? { ok: true, tokenType: 'mobile', subject: 'p-' + String(input.token), reference: { t: input.token } };
        if (v === 'hang') return new Promise<TokenVerdict>(() => {});
        return v;
      }),
      faceLoop: fromCallback(() => {
        faceLoops++;
        return () => faceLoopsStopped++;
      }),
    },
  });
  let n = 0;
  const actor: Actor<typeof vehicleMachine> = createActor(machine, {
    clock: { setTimeout: (fn, ms) => clock.setTimeout(fn, ms), clearTimeout: (h) => clock.clearTimeout(h as never) },
    input: { timings: timingsSection.parse(timings), now: () => clock.monotonic(), newId: () => `V${++n}` },
  });
  actor.on('*', (f) => facts.push(f as CrossingFact));
  const inputs: Record<string, boolean> = { barrier_down: true, loop_approach: false, loop_barrier: false, loop_exit: false, fire_alarm: false, tamper: false };
  const registers: Record<string, number> = { vehicle_count: 0, fault_bits: 0 };
  const h = {
    clock,
    actor,
    facts,
    get faceLoops() {
      return faceLoops;
    },
    get faceLoopsStopped() {
      return faceLoopsStopped;
    },
    start() {
      actor.start();
      h.io({});
      return h;
    },
    io(i: Record<string, boolean>, r: Record<string, number> = {}) {
      Object.assign(inputs, i);
      Object.assign(registers, r);
      actor.send({ type: 'IO', io: { inputs: { ...inputs }, registers: { ...registers } } });
    },
    async advance(ms: number) {
      clock.advance(ms);
      await flush();
    },
    async token(token: string, channel: 'qr' | 'card' = 'qr') {
      actor.send({ type: 'TOKEN_READ', channel, token });
      await flush();
    },
    face(result: Partial<FaceVerdict>) {
      actor.send({ type: 'FACE_RESULT', result: { decision: 'match', score: 0.8, liveness: 0.99, issues: [], otherFaces: 0, ms: 30, ...result } });
    },
    state(): string {
      return JSON.stringify(actor.getSnapshot().value);
    },
    matches(v: Parameters<ReturnType<typeof actor.getSnapshot>['matches']>[0]) {
      return actor.getSnapshot().matches(v);
    },
    outputs() {
      return vehicleOutputs(actor.getSnapshot());
    },
    screen() {
      return vehicleScreen(actor.getSnapshot());
    },
    journal(type?: string) {
      return facts.filter((f): f is Extract<CrossingFact, { type: 'journal' }> => f.type === 'journal' && (!type || f.event === type));
    },
    finished() {
      return h.journal('crossing_finished').map((f) => f.data as unknown as CrossingRecord);
    },
    outcomes() {
      return h.finished().map((r) => [r.outcome, r.reason]);
    },
    async inService() {
      h.start();
      await h.advance(5000);
      return h;
    },
    /** A car pulls up and stops at the kiosk. */
    arrive() {
      h.io({ loop_approach: true });
    },
    /** Arrive, present a token, and get a face match: the arm is commanded up. */
    async toPassing(token = 'alice') {
      h.arrive();
      await h.advance(2000);
      await h.token(token);
      await h.advance(300);
      h.face({ decision: 'match', score: 0.74 });
    },
    /** The arm rises, the car drives under it and past loop_exit (loops in the usual order). */
    driveThrough() {
      h.io({ barrier_down: false });
      h.io({ loop_approach: false, loop_barrier: true }, { vehicle_count: 1 });
      h.io({ loop_barrier: false, loop_exit: true }, { vehicle_count: 0 });
      h.io({ loop_exit: false });
    },
  };
  return h;
}
