import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import type { SimCar } from '../../drivers/door/plant-traffic.ts';
import type { CrossingRecord } from '../../kiosk/crossing/types.ts';
import type { Traveller } from './scenario.ts';
import { crossingResult, facePhoto, nextCrossingFinished, sleep, TokenPresenter, waitUntil, type CrossingResult, type WorldParts } from './world-core.ts';

/**
 * Plays one driver through the vehicle lane as a driver would: pulls up to the kiosk, shows
 * the token at the window, looks at the camera, drives on when the arm is up — or behaves as
 * the scenario says. Behaviours in the vehicle lane (the scenario vocabulary is shared with
 * the pedestrian lane):
 * - `normal`: stops, presents, drives through when the arm is up.
 * - `tailgate`: a second car follows close behind under the raised arm.
 * - `linger`: the driver waits past the pass timeout before moving on (alarm, then CLEARED).
 * - `abandon`: with a `card` the driver never finds it (the token budget runs out); with any
 *   other token the car reverses away before presenting it.
 * - `spoof-photo` / `impostor`: a photo held up to the window / someone else driving.
 * A refused car reverses out of the lane (it is directed to the staffed lane).
 * Reacts only to what a driver can see: the arm, the lamps and the display.
 */
export class VehicleWorld {
  readonly #p: WorldParts;
  readonly #hand: TokenPresenter;
  #n = 0;
  #acted = new Set<string>();

  constructor(parts: WorldParts) {
    this.#p = parts;
    this.#hand = new TokenPresenter(parts);
  }

  async cross(t: Traveller, sub: string, timeoutMs: number): Promise<CrossingResult> {
    const p = this.#p;
    // The next car pulls up only when the gate is idle and the previous car is off both loops.
    await waitUntil(
      () => p.gate.state?.state === 'in_service.idle' && p.plant.role('loop_approach') === false && p.plant.role('loop_barrier') === false,
      timeoutMs,
      () => `lane not clear after ${timeoutMs} ms (state ${p.gate.state?.state})`,
    );
    this.#acted = new Set();
    const n = ++this.#n;
    const car = p.plant.car(`${t.name}#${n}`);
    const follower = t.behaviour === 'tailgate' ? p.plant.car(`${t.name}-follower#${n}`) : undefined;
    const finished = nextCrossingFinished(p.gate);
    const offState = p.gate.bus.on('state', ({ state }) => this.#react(state, t, car, follower));
    // Through the open window the camera sees the driver from the moment the car stops.
    await this.#look(t);
    car.arrive();
    // The driver reaches for the token when the kiosk asks for it: the gate sees the car only at
    // its next poll over the serial line, which on a loaded machine can take longer than the
    // driver's reach, and a token shown to an idle gate is not read (it then timed out NO_TOKEN).
    await waitUntil(() => p.gate.state?.state.startsWith('in_service.session') === true, timeoutMs, () => `the gate did not see the car at the window (state ${p.gate.state?.state})`);
    await sleep(800);

    if (t.behaviour === 'abandon' && t.token !== 'card') {
      await sleep(700);
      void car.reverse();
    } else if (t.behaviour !== 'abandon') {
      await this.#hand.present(t, sub);
    }

    let record: CrossingRecord | null = null;
    try {
      record = await finished.within(timeoutMs);
      // A car still at the window after its session was refused backs out of the lane.
      for (const c of [car, follower]) if (c?.place === 'approach') void c.reverse();
      await Promise.race([Promise.all([gone(car), follower && gone(follower)]), sleep(15_000)]);
    } finally {
      offState();
      await p.camera.show(null);
    }
    return crossingResult(t, record, timeoutMs);
  }

  #react(state: string, t: Traveller, car: SimCar, follower: SimCar | undefined): void {
    const once = (key: string, fn: () => void): void => {
      if (this.#acted.has(key)) return;
      this.#acted.add(key);
      fn();
    };
    if (state.startsWith('in_service.passing')) {
      once('drive', () => {
        void this.#p.camera.show(null);
        if (t.behaviour === 'linger') {
          const waitFor = this.#p.gate.deps.config.timings.vehiclePassTimeoutMs + 1000;
          void sleep(waitFor).then(() => car.drive());
        } else {
          void car.drive();
        }
        if (follower) void sleep(100).then(() => follower.followClosely());
      });
    } else if (state.startsWith('in_service.clearing') || state.startsWith('out_of_service') || state.startsWith('emergency.active')) {
      once('leave', () => {
        void this.#p.camera.show(null);
        for (const c of [car, follower]) {
          if (c?.place === 'approach') void c.reverse();
          else if (c?.place === 'under_barrier') void c.drive();
        }
      });
    }
  }

  /** The driver's face through the window: their own, someone else's, or a photo held up. */
  async #look(t: Traveller): Promise<void> {
    const p = this.#p;
    const { width, height } = p.gate.deps.config.camera;
    await p.camera.show(await driverView(facePhoto(p, t), width, height));
  }
}

function gone(c: SimCar): Promise<void> {
  return new Promise((resolve) => {
    const poll = (): void => (c.place === 'gone' || c.place === 'away' ? resolve() : void setTimeout(poll, 50));
    poll();
  });
}

/**
 * What the driver-height camera sees through an open side window: the driver sits lower in
 * the frame than a pedestrian stands (the photo is shifted down and cut at the chest), the
 * window frame runs across the top and the door pillar down one side, the rim of the steering
 * wheel shows at the bottom, and sun glare lies on the far side of the frame. The margins
 * beside the photo are a blurred continuation of it (the car's interior out of focus), not a
 * flat board: a sharp-edged rectangle in view is what a held-up print looks like.
 */
export async function driverView(file: string, width: number, height: number) {
  const src = readFileSync(file);
  const top = Math.round(height * 0.16);
  const photo = await sharp(src).rotate().resize({ height, width: Math.round(width * 0.7), fit: 'inside' }).removeAlpha().toBuffer({ resolveWithObject: true });
  const visible = Math.min(photo.info.height, height - top);
  const cut = await sharp(photo.data).extract({ left: 0, top: 0, width: photo.info.width, height: visible }).toBuffer();
  const back = await sharp(src).rotate().resize(width, height, { fit: 'cover' }).blur(24).modulate({ brightness: 0.55 }).removeAlpha().toBuffer();
  const left = Math.max(0, Math.round(width * 0.45 - photo.info.width / 2));
  const frame = Math.round(height * 0.17);
  const overlay = Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
    <defs><radialGradient id="g" cx="0.5" cy="0.5" r="0.5"><stop offset="0" stop-color="#fff" stop-opacity="0.85"/><stop offset="1" stop-color="#fff" stop-opacity="0"/></radialGradient></defs>
    <rect x="0" y="0" width="${width}" height="${frame}" fill="#1c1c1e"/>
    <polygon points="${width * 0.88},0 ${width},0 ${width},${height} ${width * 0.95},${height}" fill="#232326"/>
    <ellipse cx="${width * 0.1}" cy="${height * 1.05}" rx="${width * 0.2}" ry="${height * 0.25}" fill="none" stroke="#111" stroke-width="${height * 0.05}"/>
    <ellipse cx="${width * 0.84}" cy="${height * 0.32}" rx="${width * 0.14}" ry="${height * 0.24}" fill="url(#g)"/>
  </svg>`);
  const { data, info } = await sharp(back)
    .composite([
      { input: cut, left, top },
      { input: overlay, left: 0, top: 0 },
    ])
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, channels: 3 as const, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}
