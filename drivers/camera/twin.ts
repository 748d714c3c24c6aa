import sharp, { type Sharp } from 'sharp';
import type { CameraConfig } from '../../config/sections/camera.ts';
import type { Clock, TimerHandle } from '../../core/clock.ts';
import { EgateError } from '../../core/errors.ts';
import type { Logger } from '../../core/log.ts';
import { HubCamera } from './frame-hub.ts';
import type { RawFrame } from './interface.ts';

/** What the camera sees with nobody in front of it: an even mid-grey background. */
const EMPTY_LEVEL = 0x80;

/**
 * The simulated camera: shows whatever image the simulator puts in front of it, scaled to
 * cover the configured size exactly as the ffmpeg driver crops a sensor image, and emits
 * it at the configured rate on the injected Clock. Same watchdog and fault rules as the
 * real camera (shared FrameHub). Test controls: show(), stall(), resume().
 */
export class SimulatedCamera extends HubCamera {
  #scene: Uint8Array;
  #sceneGen = 0;
  #ticker: TimerHandle | undefined;
  #stalled = false;

  constructor(
    private readonly config: CameraConfig,
    private readonly deps: { clock: Clock; log: Logger },
  ) {
    super(config, deps);
    this.#scene = new Uint8Array(config.width * config.height * 3).fill(EMPTY_LEVEL);
  }

  protected override launch(): void {
    this.#ticker = this.deps.clock.setInterval(() => this.#tick(), 1000 / this.config.fps);
  }

  // Runs right after hub.end(), in the same turn, so no tick can slip in between.
  protected override async halt(): Promise<void> {
    this.deps.clock.clearInterval(this.#ticker);
    this.#ticker = undefined;
  }

  /**
   * Test control: puts an encoded image (JPEG, PNG… anything sharp decodes), a raw RGB24
   * frame of any size, or `null` (empty scene) in front of the camera. Frames emitted
   * after the promise resolves show it. Rejects with IMAGE_INVALID for undecodable bytes;
   * the previous scene then stays. When calls overlap, the last call wins.
   */
  async show(image: Uint8Array | RawFrame | null): Promise<void> {
    const gen = ++this.#sceneGen;
    const scene = image === null ? this.#empty() : await this.#decode(image);
    if (gen === this.#sceneGen) this.#scene = scene;
  }

  /** Test control: the source freezes (no frames) until resume(); a fault follows after stallMs. */
  stall(): void {
    this.#stalled = true;
  }

  /** Test control: frames flow again; the first one after a fault emits 'recovered'. */
  resume(): void {
    this.#stalled = false;
  }

  #tick(): void {
    // A copy per frame: a consumer that writes into its frame must not change the next one.
    if (!this.#stalled) this.hub.deliver(this.#scene.slice());
  }

  #empty(): Uint8Array {
    return new Uint8Array(this.config.width * this.config.height * 3).fill(EMPTY_LEVEL);
  }

  async #decode(image: Uint8Array | RawFrame): Promise<Uint8Array> {
    const { width, height } = this.config;
    try {
      let input: Sharp;
      if (image instanceof Uint8Array) {
        input = sharp(image, { failOn: 'error' }).rotate();
      } else {
        if (image.channels !== 3 || image.data.length !== image.width * image.height * 3) throw new Error('raw frame size does not match width*height*3');
        if (image.width === width && image.height === height) return image.data.slice();
        input = sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } });
      }
      const { data, info } = await input
        .resize(width, height, { fit: 'cover' })
        .removeAlpha()
        .toColourspace('srgb')
        .raw()
        .toBuffer({ resolveWithObject: true });
      if (info.channels !== 3 || data.length !== width * height * 3) throw new Error(`decoded to ${info.channels} channels`);
      return new Uint8Array(data.buffer, data.byteOffset, data.length);
    } catch (err) {
      throw new EgateError('IMAGE_INVALID', `simulated camera cannot use the image: ${(err as Error).message}`, { cause: err });
    }
  }
}
