import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import type { SimulatedCamera } from '../../drivers/camera/twin.ts';
import type { DoorPlant } from '../../drivers/door/plant.ts';
import type { SimPerson } from '../../drivers/door/plant-people.ts';
import type { Gate } from '../../kiosk/gate.ts';
import type { CrossingRecord } from '../../kiosk/crossing/types.ts';
import type { TokenWorld } from '../../kiosk/tokens/token-world.ts';
import { expectedOutcome, type Traveller } from './scenario.ts';
import { presentationFor } from './tokens-for.ts';

/** What the simulated world needs to reach: the gate's twins and the plant behind the controller. */
export interface WorldParts {
  gate: Gate;
  plant: DoorPlant;
  camera: SimulatedCamera;
  scan: (text: string) => void;
  presentCard: (bytes: Uint8Array) => void;
  /** The traveller takes the card off the reader again. */
  removeCard: () => void;
  tokens: TokenWorld;
  /** Presents what this lane takes instead of a QR or card (the Express lane: a passport). */
  present?: (t: Traveller, sub: string) => Promise<void>;
  /** The traveller takes back what they put on a reader. */
  afterCrossing?: () => void;
  photosDir: string;
  /** A photo of someone else, for impostors; and a presentation-attack image. */
  impostorPhoto: (t: Traveller) => string;
  spoofPhoto: string;
}

export interface CrossingResult {
  traveller: string;
  expected: string;
  outcome: string;
  reason: string;
  ms: number;
  overhead_ms: number;
  record: CrossingRecord | null;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Plays one traveller through the gate as a person would: presents the token, walks in when
 * the entry door opens, looks at the camera, walks out when the exit opens — or behaves as
 * the scenario says (a tailgater follows, lingers, abandons, holds up a photo, is someone
 * else). Reacts only to what a person can see: doors and the display.
 */
export class SimWorld {
  readonly #p: WorldParts;
  #lastGoodQr: string | undefined;
  #n = 0;

  constructor(parts: WorldParts) {
    this.#p = parts;
  }

  subOf(t: Traveller, i: number): string {
    return `R${String(100000 + i).padStart(7, '0')}`.slice(0, 8) + (t.name ? '' : '');
  }

  async cross(t: Traveller, sub: string, timeoutMs: number): Promise<CrossingResult> {
    const p = this.#p;
    const expected = expectedOutcome(t);
    await this.#waitIdle(timeoutMs);
    this.#acted = new Set();
    const person = p.plant.traveller(`${t.name}#${++this.#n}`);
    const tailgater = t.behaviour === 'tailgate' ? p.plant.traveller(`${t.name}-tailgater#${this.#n}`) : undefined;
    const finished = new Promise<CrossingRecord>((resolve) => {
      const off = p.gate.bus.on('crossing_finished', (r) => {
        off();
        resolve(r);
      });
    });
    const offState = p.gate.bus.on('state', ({ state }) => this.#react(state, t, person, tailgater));
    person.arrive();
    tailgater?.arrive();
    await sleep(150);

    if (p.present) await p.present(t, sub);
    else await this.#presentToken(t, sub);

    let record: CrossingRecord | null = null;
    try {
      record = await Promise.race([finished, sleep(timeoutMs).then(() => null)]);
      // Let the traveller (and any tailgater) get clear before the next one steps up.
      await Promise.race([Promise.all([person.leave(), tailgater?.leave()]), sleep(15000)]);
    } finally {
      offState();
      p.afterCrossing?.();
      await p.camera.show(null);
    }
    return {
      traveller: t.name,
      expected,
      outcome: record?.outcome ?? 'TIMEOUT',
      reason: record?.reason ?? 'no crossing_finished',
      ms: record?.durations.total_ms ?? timeoutMs,
      overhead_ms: controllerTime(record),
      record,
    };
  }

  /** What the current traveller already did this crossing (state updates repeat). */
  #acted = new Set<string>();

  async #presentToken(t: Traveller, sub: string): Promise<void> {
    const p = this.#p;
    const pres = presentationFor(p.tokens, t.token, sub, Date.now(), t.token === 'replayed' ? this.#lastGoodQr : undefined);
    if (t.token === 'replayed' && !this.#lastGoodQr && typeof pres.input === 'string') {
      // Nobody used a code at this gate yet: this one was already shown once (a photographed screen).
      await p.gate.deps.verifier.verify(pres.input, 'qr');
    }
    if (pres.channel === 'card') {
      p.presentCard(pres.input as Uint8Array);
      setTimeout(() => p.removeCard(), 300);
    } else p.scan(pres.input as string);
    if (t.token === 'valid' && typeof pres.input === 'string') this.#lastGoodQr = pres.input;
  }

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
    const file = t.behaviour === 'impostor' ? p.impostorPhoto(t) : t.behaviour === 'spoof-photo' ? p.spoofPhoto : join(p.photosDir, t.live[0]!);
    const { width, height } = p.gate.deps.config.camera;
    await p.camera.show(await cameraView(file, width, height));
  }

  async #waitIdle(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.#p.gate.state?.state !== 'in_service.idle') {
      if (Date.now() > deadline) throw new Error(`gate not idle after ${timeoutMs} ms (state ${this.#p.gate.state?.state})`);
      await sleep(50);
    }
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

/**
 * The controller's own time in a crossing: the token check plus the face decision. A decision
 * reached on evidence (a match, a presentation attack) counts from the traveller being in
 * place to the decision; a refusal because the face budget ran out counts one frame's
 * verification, since the rest is the budget's policy wait, not the controller working.
 */
export function controllerTime(r: CrossingRecord | null): number {
  if (!r) return 0;
  const token = r.durations.token_ms ?? 0;
  if (r.outcome === 'CLEARED' || r.outcome === 'REJECTED_PAD') return token + (r.durations.face_ms ?? 0);
  return token + (r.face_frame_ms ?? 0);
}
