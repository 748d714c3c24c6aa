import { createActor, fromCallback, fromPromise, type Actor, type AnyMachineSnapshot, type AnyStateMachine, type StateValueFrom } from 'xstate';
import { timingsSection } from '../../config/sections/gate.ts';
import { SimulatedClock } from '../../kiosk/clock.ts';
import type { LaneResume } from '../../kiosk/crossing/context.ts';
import type { CrossingEvent } from '../../kiosk/crossing/events.ts';
import type { CrossingFact } from '../../kiosk/crossing/facts.ts';
import type { CrossingRecord, FaceVerdict, TokenVerdict } from '../../kiosk/crossing/types.ts';

/** Token → the verdict the token check gives; 'hang' never answers. Unlisted tokens are valid. */
export type Verdicts = Record<string, TokenVerdict | 'hang'>;

export interface LaneSetup {
  verdicts: Verdicts;
  /** Timings overrides on top of the configuration defaults. */
  timings?: Record<string, number>;
  /** Prefix of crossing ids, so a failing test shows which lane's harness made the id. */
  idPrefix: string;
  /** The lane's sensors at start-up: every input and register the machine reads. */
  inputs: Record<string, boolean>;
  registers: Record<string, number>;
  /** What a previous process persisted (a restart); none by default. */
  resume?: LaneResume;
}

/** A lane harness's options beyond the verdicts: a restart's persisted state and the sensors it finds. */
export interface RestartSetup {
  resume?: LaneResume;
  inputs?: Record<string, boolean>;
  registers?: Record<string, number>;
}

/**
 * What both lanes' test harnesses share: a crossing statechart on a simulated clock, with
 * the token check answered from `verdicts` and the face loop only counted (tests send the
 * face results by hand), every emitted fact collected, and sensors driven by hand. The lane
 * harnesses extend it with their initial sensors and their people or car helpers.
 */
export class CrossingHarness<M extends AnyStateMachine> {
  readonly clock = new SimulatedClock();
  readonly facts: CrossingFact[] = [];
  readonly actor: Actor<M>;
  readonly #inputs: Record<string, boolean>;
  readonly #registers: Record<string, number>;
  #faceLoops = 0;
  #faceLoopsStopped = 0;

  constructor(machine: M, setup: LaneSetup) {
    const { verdicts } = setup;
    const provided = machine.provide({
      actors: {
        checkToken: fromPromise<TokenVerdict, { channel: string; token: unknown }>(async ({ input }) => {
          const v = verdicts[String(input.token)] ?? { ok: true, tokenType: 'mobile', subject: 'p-' + String(input.token), reference: { t: input.token } };
          if (v === 'hang') return new Promise<TokenVerdict>(() => {});
          return v;
        }),
        faceLoop: fromCallback(() => {
          this.#faceLoops++;
          return () => this.#faceLoopsStopped++;
        }),
      },
    });
    let n = 0;
    const clock = this.clock;
    // Both lanes' machines take CrossingInput; with M generic, xstate cannot see that here.
    this.actor = createActor(provided as AnyStateMachine, {
      clock: { setTimeout: (fn, ms) => clock.setTimeout(fn, ms), clearTimeout: (h) => clock.clearTimeout(h as never) },
      input: {
        timings: timingsSection.parse(setup.timings ?? {}),
        now: () => clock.monotonic(),
        newId: () => `${setup.idPrefix}${++n}`,
        ...(setup.resume ? { resume: setup.resume } : {}),
      },
    }) as Actor<M>;
    this.actor.on('*', (f) => this.facts.push(f as CrossingFact));
    this.#inputs = { ...setup.inputs };
    this.#registers = { ...setup.registers };
  }

  get faceLoops(): number {
    return this.#faceLoops;
  }

  get faceLoopsStopped(): number {
    return this.#faceLoopsStopped;
  }

  /** Starts the machine and reports the lane once, as the binding does (sensors, then the settled fire input). */
  start(): this {
    this.actor.start();
    this.io({});
    this.#send({ type: 'FIRE_ALARM', active: this.#inputs.fire_alarm === true });
    return this;
  }

  /** Gets the gate from start-up (out of service) into service. */
  async inService(): Promise<this> {
    this.start();
    await this.advance(5000);
    return this;
  }

  /** Changes some sensors; the machine gets the whole snapshot, as the door controller sends it. */
  io(i: Record<string, boolean>, r: Record<string, number> = {}): void {
    Object.assign(this.#inputs, i);
    Object.assign(this.#registers, r);
    this.#send({ type: 'IO', io: { inputs: { ...this.#inputs }, registers: { ...this.#registers } } });
  }

  async advance(ms: number): Promise<void> {
    this.clock.advance(ms);
    await flush();
  }

  async token(token: string, channel: 'qr' | 'card' = 'qr'): Promise<void> {
    this.#send({ type: 'TOKEN_READ', channel, token });
    await flush();
  }

  face(result: Partial<FaceVerdict>): void {
    this.#send({ type: 'FACE_RESULT', result: { decision: 'match', score: 0.8, liveness: 0.99, issues: [], otherFaces: 0, ms: 30, ...result } });
  }

  matches(v: StateValueFrom<M>): boolean {
    return (this.actor.getSnapshot() as AnyMachineSnapshot).matches(v);
  }

  journal(type?: string) {
    return this.facts.filter((f): f is Extract<CrossingFact, { type: 'journal' }> => f.type === 'journal' && (!type || f.event === type));
  }

  finished(): CrossingRecord[] {
    return this.journal('crossing_finished').map((f) => f.data as unknown as CrossingRecord);
  }

  // Both lanes' machines take CrossingEvent; M is only known to be some machine here.
  #send(e: CrossingEvent): void {
    this.actor.send(e as never);
  }
}

/** Lets settled promises (the token check) and the machine's reactions to them run. */
export async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
}
