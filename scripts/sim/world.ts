import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import type { SimPerson } from '../../drivers/door/plant-people.ts';
import type { CrossingRecord } from '../../kiosk/crossing/types.ts';
import type { Traveller } from './scenario.ts';
import { crossingResult, facePhoto, nextCrossingFinished, sleep, TokenPresenter, waitUntil, type CrossingResult, type WorldParts } from './world-core.ts';

// The demo, its summary and the scenario tests take the result type from here.
export type { CrossingResult } from './world-core.ts';

/**
 * Plays one traveller through the gate as a person would: presents the token, walks in when
 * the entry door opens, looks at the camera, walks out when the exit opens — or behaves as
 * the scenario says (a tailgater follows, lingers, abandons, holds up a photo, is someone
 * else). Reacts only to what a person can see: doors and the display.
 */
export class SimWorld {
  readonly #p: WorldParts;
  readonly #hand: TokenPresenter;
  #n = 0;

  constructor(parts: WorldParts) {
    this.#p = parts;
    this.#hand = new TokenPresenter(parts);
  }

  async cross(t: Traveller, sub: string, timeoutMs: number): Promise<CrossingResult> {
    const p = this.#p;
    await waitUntil(
      () => p.gate.state?.state === 'in_service.idle',
      timeoutMs,
      () => `gate not idle after ${timeoutMs} ms (state ${p.gate.state?.state})`,
    );
    this.#acted = new Set();
    const person = p.plant.traveller(`${t.name}#${++this.#n}`);
    const tailgater = t.behaviour === 'tailgate' ? p.plant.traveller(`${t.name}-tailgater#${this.#n}`) : undefined;
    const finished = nextCrossingFinished(p.gate);
    const offState = p.gate.bus.on('state', ({ state }) => this.#react(state, t, person, tailgater));
    person.arrive();
    tailgater?.arrive();
    await sleep(150);

    if (p.present) await p.present(t, sub);
    else await this.#hand.present(t, sub);

    let record: CrossingRecord | null = null;
    try {
      record = await finished.within(timeoutMs);
      // Let the traveller (and any tailgater) get clear before the next one steps up.
      await Promise.race([Promise.all([person.leave(), tailgater?.leave()]), sleep(15000)]);
    } finally {
      offState();
      p.afterCrossing?.();
      await p.camera.show(null);
    }
    return crossingResult(t, record, timeoutMs);
  }

  /** What the current traveller already did this crossing (state updates repeat). */
  #acted = new Set<string>();

  #react(state: string, t: Traveller, person: SimPerson, tailgater: SimPerson | undefined): void {
    const p = this.#p;
    if (state.startsWith('in_service.entry') && t.behaviour !== 'abandon') {
      if (person.place === 'approach' && !this.#acted.has('enter')) {
        this.#acted.add('enter');
        void person.enterMantrap().then(() => this.#look(t));
        if (tailgater) void tailgater.enterMantrap();
      }
    } else if (state.startsWith('in_service.exit')) {
      if (!this.#acted.has('exit')) {
        this.#acted.add('exit');
        void p.camera.show(null);
        if (t.behaviour === 'linger') {
          person.linger(true);
          const lingerFor = p.gate.deps.config.timings.exitTimeoutMs + 1500;
          void person.exit().then(() => sleep(lingerFor)).then(() => person.linger(false));
        } else {
          void person.exit();
        }
      }
    } else if (state.startsWith('in_service.refused') || state.startsWith('out_of_service') || state.startsWith('emergency')) {
      if (!this.#acted.has('back')) {
        this.#acted.add('back');
        void p.camera.show(null);
        void person.backOut();
        if (tailgater) void tailgater.backOut();
      }
    }
  }

  /** The traveller looks at the camera: their face, someone else's, or a photo held up. */
  async #look(t: Traveller): Promise<void> {
    const p = this.#p;
    const { width, height } = p.gate.deps.config.camera;
    await p.camera.show(await cameraView(facePhoto(p, t), width, height));
  }
}

/**
 * What the gate camera sees of a traveller standing in the mantrap: the whole head and
 * shoulders inside the frame (the camera is aimed and zoomed for that), so the photo is
 * fitted inside the frame, not cropped to fill it (a crop of a portrait photo cuts the face).
 */
export async function cameraView(file: string, width: number, height: number) {
  const { data, info } = await sharp(readFileSync(file))
    .rotate()
    .resize(width, height, { fit: 'contain', background: { r: 96, g: 96, b: 96 } })
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, channels: 3 as const, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}
