import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import type { CameraConfig } from '../../config/sections/camera.ts';
import type { Clock, TimerHandle } from '../../core/clock.ts';
import { DeviceError } from '../../core/errors.ts';
import type { Logger } from '../../core/log.ts';
import { HubCamera } from './frame-hub.ts';
import { FrameSplitter } from './frame-splitter.ts';

type FfmpegChild = ChildProcessByStdio<null, Readable, Readable>;

/** Grace between SIGTERM and SIGKILL on stop; real time, because reaping a process is not gate time. */
const KILL_GRACE_MS = 1000;

/** Output arguments: raw RGB24 at exactly the configured size, scaled to cover it the way a sensor crop would. */
export function ffmpegArgs(c: Pick<CameraConfig, 'input' | 'width' | 'height' | 'fps'>): string[] {
  const { width: w, height: h } = c;
  return [
    '-hide_banner', '-nostdin', '-loglevel', 'error',
    ...c.input,
    '-an',
    '-vf', `scale=${w}:${h}:force_original_aspect_ratio=increase,crop=${w}:${h}`,
    '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${w}x${h}`, '-r', String(c.fps),
    'pipe:1',
  ];
}

/** ffmpeg's stderr can name the RTSP URL; never let its user:password reach a log line. */
function scrub(text: string): string {
  return text.replace(/\/\/[^@/\s]+@/g, '//***@').trim().slice(-400);
}

/**
 * Frames from ffmpeg as a child process: a V4L2 device, an RTSP camera, a file or a looped
 * still image, whatever `config.input` names (file inputs want `-re` so they play at their
 * own rate instead of as fast as the CPU allows). A stall or an exit kills the child and
 * starts a new one after an exponential back-off (Clock time), reset by the next frame.
 */
export class FfmpegCamera extends HubCamera {
  readonly #splitter: FrameSplitter;
  #child: FfmpegChild | undefined;
  #stderrTail = '';
  #restartTimer: TimerHandle | undefined;
  #backoff: number;
  #launches = 0;

  constructor(
    private readonly config: CameraConfig,
    private readonly deps: { clock: Clock; log: Logger },
  ) {
    super(config, deps);
    this.#backoff = config.restartBackoffMs.min;
    this.#splitter = new FrameSplitter(config.width * config.height * 3, (data) => {
      this.#backoff = this.config.restartBackoffMs.min;
      this.hub.deliver(data);
    });
  }

  /** Process id of the running ffmpeg, for the technician self-test and tests; undefined between restarts. */
  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** How many times ffmpeg has been launched since construction (1 + restarts). */
  get launches(): number {
    return this.#launches;
  }

  protected override async halt(): Promise<void> {
    this.deps.clock.clearTimeout(this.#restartTimer);
    this.#restartTimer = undefined;
    const child = this.#child;
    this.#child = undefined;
    if (child) await terminate(child);
  }

  /** First launch on start() and every restart after a back-off. */
  protected override launch(): void {
    this.#restartTimer = undefined;
    if (!this.hub.running) return;
    this.#splitter.reset();
    this.#stderrTail = '';
    this.#launches++;
    const child = spawn(this.config.ffmpegPath, ffmpegArgs(this.config), { stdio: ['ignore', 'pipe', 'pipe'] });
    this.#child = child;
    child.stdout.on('data', (chunk: Buffer) => {
      if (child === this.#child) this.#splitter.push(chunk);
    });
    // Pipe errors surface as the child's exit; without listeners they would crash the gate.
    child.stdout.on('error', () => {});
    child.stderr.on('error', () => {});
    child.stderr.on('data', (d: Buffer) => {
      this.#stderrTail = (this.#stderrTail + d.toString('utf8')).slice(-2000);
    });
    child.on('error', (err) => {
      if (child === this.#child) this.#fail('CAMERA_SPAWN', `cannot run ${this.config.ffmpegPath}: ${(err as NodeJS.ErrnoException).code ?? err.message}`);
    });
    child.on('exit', (code, signal) => {
      if (child === this.#child) this.#fail('CAMERA_EXITED', `ffmpeg exited (${signal ?? `code ${code}`}) ${scrub(this.#stderrTail)}`);
    });
    this.hub.armWatchdog();
    this.deps.log.debug({ camera: this.name, pid: child.pid, launch: this.#launches }, 'ffmpeg launched');
  }

  /** The hub's watchdog fired: kill the silent ffmpeg and relaunch after the back-off. */
  protected override stalled(): void {
    const child = this.#child;
    this.#child = undefined;
    if (child) child.kill('SIGKILL'); // a stalled ffmpeg may be stopped or blocked in a read: only SIGKILL is sure
    this.#scheduleRestart();
  }

  #fail(code: string, message: string): void {
    this.#child = undefined;
    this.hub.fault(new DeviceError(this.name, code, message));
    this.#scheduleRestart();
  }

  #scheduleRestart(): void {
    if (!this.hub.running || this.#restartTimer) return;
    const delay = this.#backoff;
    this.#backoff = Math.min(this.#backoff * 2, this.config.restartBackoffMs.max);
    this.deps.log.info({ camera: this.name, delayMs: delay }, 'ffmpeg restart scheduled');
    this.#restartTimer = this.deps.clock.setTimeout(() => this.launch(), delay);
  }
}

/** SIGTERM (after SIGCONT, in case it was stopped), then SIGKILL after a grace; resolves once reaped. */
async function terminate(child: FfmpegChild): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGCONT');
  child.kill('SIGTERM');
  const grace = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
  await exited;
  clearTimeout(grace);
}
