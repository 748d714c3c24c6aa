import { Bus } from '../../core/bus.ts';
import type { Clock, TimerHandle } from '../../core/clock.ts';
import { DeviceError } from '../../core/errors.ts';
import type { Logger } from '../../core/log.ts';
import { honestDeadline, type Deadline } from '../../core/honest-wait.ts';
import type { Camera, CameraEvents, Frame } from './interface.ts';

interface Waiter {
  after: number;
  resolve: (f: Frame) => void;
  reject: (e: Error) => void;
  timer?: TimerHandle;
}

/**
 * The part of a camera that does not depend on where pixels come from, shared by the
 * ffmpeg driver and the twin so both keep the same promises: latest-frame slot, waiters
 * for the next frame, the stall watchdog, and the once-per-outage fault/recovered pair.
 */
export class FrameHub {
  readonly bus = new Bus<CameraEvents>();
  #latest: Frame | undefined;
  #seq = 0;
  #waiters = new Set<Waiter>();
  #watchdog: Deadline | undefined;
  #running = false;
  #faulted = false;

  constructor(
    private readonly deps: { clock: Clock; log: Logger; name: string; width: number; height: number; stallMs: number; onStall: () => void },
  ) {
    this.bus.onListenerError((err, event) => deps.log.error({ err, event }, 'camera listener threw'));
  }

  get running(): boolean {
    return this.#running;
  }

  get faulted(): boolean {
    return this.#faulted;
  }

  latest(): Frame | undefined {
    return this.#latest;
  }

  begin(): void {
    this.#running = true;
    this.armWatchdog();
  }

  end(): void {
    this.#running = false;
    this.#watchdog?.cancel();
    this.#watchdog = undefined;
    this.#latest = undefined;
    for (const w of this.#waiters) this.#settle(w, undefined, this.#error('CAMERA_STOPPED', 'camera stopped'));
  }

  /** (Re)starts the stall countdown; a source that has just been (re)launched calls this too. */
  armWatchdog(): void {
    this.#watchdog?.cancel();
    if (!this.#running) return;
    // Counted honestly: a timer that fires late (our loop was busy) lets the frames already
    // waiting in the pipe arrive before the camera is called stalled (issue 11.11).
    this.#watchdog = honestDeadline(this.deps.clock, this.deps.stallMs, () => {
      this.#watchdog = undefined;
      this.fault(this.#error('CAMERA_STALL', `no frame for ${this.deps.stallMs} ms`));
      this.deps.onStall();
    });
  }

  /** Takes ownership of `data` (exactly width*height*3 bytes) as the newest frame. */
  deliver(data: Uint8Array): void {
    if (!this.#running) return;
    const { width, height } = this.deps;
    if (data.length !== width * height * 3) throw new Error(`frame of ${data.length} bytes, expected ${width * height * 3}`);
    const frame: Frame = { width, height, channels: 3, data, seq: ++this.#seq, capturedAt: this.deps.clock.now() };
    this.#latest = frame;
    this.armWatchdog();
    if (this.#faulted) {
      this.#faulted = false;
      this.deps.log.info({ camera: this.deps.name }, 'camera recovered');
      this.bus.emit('recovered', { at: frame.capturedAt });
    }
    for (const w of this.#waiters) if (frame.seq > w.after) this.#settle(w, frame);
    this.bus.emit('frame', frame);
  }

  /** Enters the faulted state; only the first fault of an outage is emitted. */
  fault(err: DeviceError): void {
    if (!this.#running) return;
    if (this.#faulted) {
      this.deps.log.debug({ camera: this.deps.name, code: err.code }, 'camera still faulted');
      return;
    }
    this.#faulted = true;
    this.deps.log.warn({ camera: this.deps.name, code: err.code, reason: err.message }, 'camera fault');
    this.bus.emit('fault', err);
  }

  nextFrame(timeoutMs?: number): Promise<Frame> {
    if (!this.#running) return Promise.reject(this.#error('CAMERA_STOPPED', 'camera not running'));
    return new Promise<Frame>((resolve, reject) => {
      const w: Waiter = { after: this.#latest?.seq ?? 0, resolve, reject };
      if (timeoutMs !== undefined) {
        w.timer = this.deps.clock.setTimeout(() => this.#settle(w, undefined, this.#error('CAMERA_TIMEOUT', `no new frame within ${timeoutMs} ms`)), timeoutMs);
      }
      this.#waiters.add(w);
    });
  }

  #settle(w: Waiter, frame?: Frame, err?: Error): void {
    if (!this.#waiters.delete(w)) return;
    this.deps.clock.clearTimeout(w.timer);
    if (frame) w.resolve(frame);
    else w.reject(err ?? new Error('unreachable'));
  }

  #error(code: string, message: string): DeviceError {
    return new DeviceError(this.deps.name, code, message);
  }
}

/**
 * The Camera surface on top of a FrameHub, shared by the ffmpeg driver and the twin so
 * both answer latest/nextFrame/faulted/on and the start/stop no-op rules identically; a
 * subclass only says how its source starts (launch) and stops (halt) and feeds hub.deliver().
 */
export abstract class HubCamera implements Camera {
  readonly name = 'camera';
  protected readonly hub: FrameHub;

  constructor(config: { width: number; height: number; stallMs: number }, deps: { clock: Clock; log: Logger }) {
    this.hub = new FrameHub({ ...deps, name: this.name, width: config.width, height: config.height, stallMs: config.stallMs, onStall: () => this.stalled() });
  }

  get faulted(): boolean {
    return this.hub.faulted;
  }

  latest(): Frame | undefined {
    return this.hub.latest();
  }

  nextFrame(timeoutMs?: number): Promise<Frame> {
    return this.hub.nextFrame(timeoutMs);
  }

  on<K extends keyof CameraEvents>(event: K, fn: (payload: CameraEvents[K]) => void): () => void {
    return this.hub.bus.on(event, fn);
  }

  async start(): Promise<void> {
    if (this.hub.running) return;
    this.hub.begin();
    this.launch();
  }

  async stop(): Promise<void> {
    if (!this.hub.running) return;
    this.hub.end();
    await this.halt();
  }

  /** Starts the source; the hub is already running (watchdog armed). */
  protected abstract launch(): void;
  /** Stops the source; the hub has already ended, so late frames are ignored. */
  protected abstract halt(): Promise<void>;
  /** The watchdog fired (the hub has faulted): a source that can be restarted does it here. */
  protected stalled(): void {}
}
