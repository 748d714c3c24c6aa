import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SimPerson } from '../../drivers/door/plant-people.ts';
import type { FaceEngine, FaceReference } from '../biometrics/index.ts';
import type { DoorLayout } from '../../drivers/door/interface.ts';
import { VehicleSelfTestRig } from './self-test-vehicle.ts';
import { SelfTestLane } from './self-test-lane.ts';
import { cameraView, type RawView } from './self-test-view.ts';

/**
 * The self-test crossing a new release runs before it is declared healthy (issue 18 item 2):
 * the release's own pedestrian statechart and binding, driving the door twin (the real polled
 * controller on the plant model — never the lane's doors, which stay closed and out of
 * service), its own face engine and models on fixture photographs. A genuine traveller must
 * end CLEARED and an impostor REJECTED_FACE; anything else fails the release.
 *
 * Time is simulated: the plant, the controller polls, the statechart's timers and the camera
 * run on one SimulatedClock stepped 5 ms at a time, and the clock stands still while the
 * engine judges a frame (the engine works in real time in its worker). So the crossing's
 * outcome does not depend on machine load, and its wall time is the engine's work only.
 *
 * A vehicle lane runs the same two crossings in its own layout (self-test-vehicle.ts): cars on
 * the barrier twin's loops, and the arm may rise only for the cleared one.
 */
export interface SelfTestResult {
  ok: boolean;
  /** Outcome and reason of each crossing, e.g. { genuine: 'CLEARED/OK', impostor: 'REJECTED_FACE/NO_MATCH' }. */
  outcomes: Record<'genuine' | 'impostor', string>;
  detail?: string;
  /** Wall time of the whole self-test. */
  ms: number;
}

const FACES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'faces');

/** Fixture photographs (fixtures/faces/README.md): a reference, the same person live, someone else. */
export const SELF_TEST_FACES = { reference: 'person01-2.jpg', genuine: 'person01-1.jpg', impostor: 'person02-44.jpg' } as const;

/** The whole self-test gives up after this much simulated time per crossing. */
const CROSSING_BOUND_MS = 60_000;

export async function selfTestCrossing(engine: FaceEngine, o: { facesDir?: string; layout?: DoorLayout } = {}): Promise<SelfTestResult> {
  const t0 = performance.now();
  const dir = o.facesDir ?? FACES;
  const outcomes = { genuine: 'none', impostor: 'none' };
  const rig: SelfTestLane = o.layout === 'vehicle' ? new VehicleSelfTestRig(engine) : new SelfTestRig(engine);
  try {
    const ref = await engine.extractReference(readFileSync(join(dir, SELF_TEST_FACES.reference)));
    const reference: FaceReference = { template: ref.template, source: 'enrolment' };
    await rig.start(reference);
    outcomes.genuine = await rig.cross(join(dir, SELF_TEST_FACES.genuine), CROSSING_BOUND_MS);
    outcomes.impostor = await rig.cross(join(dir, SELF_TEST_FACES.impostor), CROSSING_BOUND_MS);
    const ok = outcomes.genuine === 'CLEARED/OK' && outcomes.impostor.startsWith('REJECTED_FACE/');
    const closed = rig.doorsNeverOpenedWrongly();
    if (!closed) return { ok: false, outcomes, detail: o.layout === 'vehicle' ? 'the barrier arm rose on the twin for a car that was not cleared' : 'the exit door opened on the twin for a traveller who was not cleared', ms: ms(t0) };
    return ok ? { ok, outcomes, ms: ms(t0) } : { ok, outcomes, detail: `${o.layout ?? 'pedestrian'} layout: genuine ${outcomes.genuine}, impostor ${outcomes.impostor} (expected CLEARED/OK and REJECTED_FACE)`, ms: ms(t0) };
  } catch (err) {
    return { ok: false, outcomes, detail: `self-test crossing failed: ${(err as Error).message.slice(0, 200)}`, ms: ms(t0) };
  } finally {
    await rig.stop();
  }
}

const ms = (t0: number): number => Math.round(performance.now() - t0);

class SelfTestRig extends SelfTestLane {
  /** Crossings during which the exit door was seen open, by outcome. */
  readonly exitOpenedIn: string[] = [];
  #exitOpen = false;

  constructor(engine: FaceEngine) {
    super(engine, 'pedestrian');
  }

  /** One traveller presents a token, walks in when the entry opens, shows `face`; returns outcome/reason. */
  override async cross(face: string, boundMs: number): Promise<string> {
    const person = this.plant.traveller();
    const acted = new Set<string>();
    const n = this.finished.length;
    this.#exitOpen = false;
    person.arrive();
    this.binding!.send({ type: 'TOKEN_READ', channel: 'qr', token: 'self-test' });
    const view = await cameraView(readFileSync(face));
    await this.until(
      () => {
        this.#react(person, acted, view);
        if (this.plant.role('exit_closed') === false) this.#exitOpen = true;
        return this.finished.length > n;
      },
      boundMs,
      'the crossing did not finish on the twin',
    );
    const rec = this.finished[n]!;
    const outcome = `${String(rec.outcome)}/${String(rec.reason)}`;
    if (this.#exitOpen) this.exitOpenedIn.push(String(rec.outcome));
    await this.camera.show(null);
    void person.leave();
    await this.until(() => this.state === 'in_service.idle' && person.place === 'gone', boundMs, 'the lane did not return to idle on the twin');
    return outcome;
  }

  override doorsNeverOpenedWrongly(): boolean {
    return this.exitOpenedIn.every((o) => o === 'CLEARED');
  }

  #react(person: SimPerson, acted: Set<string>, view: RawView): void {
    const s = this.state;
    const once = (k: string, fn: () => void): void => {
      if (!acted.has(k)) {
        acted.add(k);
        fn();
      }
    };
    if (s.startsWith('in_service.entry') && person.place === 'approach') once('enter', () => void person.enterMantrap().then(() => this.camera.show(view)));
    else if (s.startsWith('in_service.exit')) once('exit', () => void person.exit());
    else if (s.startsWith('in_service.refused')) once('back', () => void person.backOut());
  }
}
