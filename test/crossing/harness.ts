import { createActor, fromCallback, fromPromise, type Actor } from 'xstate';
import { timingsSection } from '../../config/sections/gate.ts';
import { SimulatedClock } from '../../kiosk/clock.ts';
import { pedestrianMachine } from '../../kiosk/crossing/pedestrian-machine.ts';
import { pedestrianOutputs } from '../../kiosk/crossing/pedestrian-outputs.ts';
import type { CrossingFact } from '../../kiosk/crossing/facts.ts';
import type { CrossingRecord, FaceVerdict, TokenVerdict } from '../../kiosk/crossing/types.ts';

export type Verdicts = Record<string, TokenVerdict | 'hang'>;

/** A pedestrian crossing engine on a simulated clock, with hand-driven sensors. */
export function pedestrianHarness(verdicts: Verdicts = {}) {
  const clock = new SimulatedClock();
  const facts: CrossingFact[] = [];
  let faceLoops = 0;
  let faceLoopsStopped = 0;
  const machine = pedestrianMachine.provide({
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
  const actor: Actor<typeof pedestrianMachine> = createActor(machine, {
    clock: { setTimeout: (fn, ms) => clock.setTimeout(fn, ms), clearTimeout: (h) => clock.clearTimeout(h as never) },
    input: { timings: timingsSection.parse({}), now: () => clock.monotonic(), newId: () => `X${++n}` },
  });
  actor.on('*', (f) => facts.push(f as CrossingFact));
  const inputs: Record<string, boolean> = { entry_closed: true, exit_closed: true, zone_approach: false, zone_mantrap: false, zone_exit: false, fire_alarm: false, tamper: false };
  const registers: Record<string, number> = { mantrap_occupancy: 0, fault_bits: 0 };
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
    state(): unknown {
      return actor.getSnapshot().value;
    },
    matches(v: Parameters<ReturnType<typeof actor.getSnapshot>['matches']>[0]) {
      return actor.getSnapshot().matches(v);
    },
    outputs() {
      return pedestrianOutputs(actor.getSnapshot());
    },
    journal(type?: string) {
      return facts.filter((f): f is Extract<CrossingFact, { type: 'journal' }> => f.type === 'journal' && (!type || f.event === type));
    },
    finished() {
      return h.journal('crossing_finished').map((f) => f.data as unknown as CrossingRecord);
    },
    /** Gets the gate from start-up (out of service) into service. */
    async inService() {
      h.start();
      await h.advance(5000);
      return h;
    },
    /** A traveller walks in after the entry door opened, and the door closes behind them. */
    walkIn() {
      h.io({ entry_closed: false });
      h.io({ zone_approach: false, zone_mantrap: true }, { mantrap_occupancy: 1 });
      h.io({ entry_closed: true });
    },
    /** The traveller leaves by the exit: exit zone, mantrap empty, exit closes. */
    walkOut() {
      h.io({ exit_closed: false });
      h.io({ zone_mantrap: false, zone_exit: true }, { mantrap_occupancy: 0 });
      h.io({ zone_exit: false });
      h.io({ exit_closed: true });
    },
  };
  return h;
}

export async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
}
