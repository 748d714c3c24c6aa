import type { DeviceError } from '../../core/errors.ts';

/**
 * An uncompressed picture in the one layout the face engine accepts: RGB24, row-major,
 * `data.length === width * height * 3`, no row padding.
 */
export interface RawFrame {
  readonly width: number;
  readonly height: number;
  readonly channels: 3;
  readonly data: Uint8Array;
}

/** A frame as delivered by a camera. */
export interface Frame extends RawFrame {
  /** 1, 2, 3… per camera instance, across restarts; never reused, so "newer" is `seq >`. */
  readonly seq: number;
  /** Clock time (ms since epoch, from the injected Clock) when the frame was complete. */
  readonly capturedAt: number;
}

export interface CameraEvents {
  /** Every new frame. Listeners must not keep a reference longer than they need it. */
  frame: Frame;
  /**
   * The camera stopped delivering: no frame for `stallMs`, the source process died or
   * could not be started. Emitted once per outage (not once per failed restart); the
   * camera keeps trying to recover on its own until `stop()`.
   */
  fault: DeviceError;
  /** The first frame after a fault. */
  recovered: { at: number };
}

/**
 * The gate's camera. Behaviour both the real driver and the twin honour:
 * - `start()` resolves once the source is launched (not when the first frame arrives);
 *   calling it twice is a no-op. `stop()` stops the source, rejects every pending
 *   `nextFrame()` with code CAMERA_STOPPED, emits nothing afterwards and is idempotent.
 * - Latest-frame semantics: the camera keeps only the newest frame. A slow consumer skips
 *   frames; nothing queues up, whatever the frame rate.
 * - Frames are always exactly the configured width × height, RGB24.
 * - Frame data is never reused or written after delivery, so a consumer may hold a frame.
 */
export interface Camera {
  /** Short name for logs and status ("camera"). */
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** The newest frame since start, or undefined before the first one (also after stop). */
  latest(): Frame | undefined;
  /**
   * Resolves with the next frame NEWER than the one `latest()` returns at the time of the
   * call. Rejects with DeviceError CAMERA_TIMEOUT after `timeoutMs` of Clock time (when
   * given), CAMERA_STOPPED when the camera is not running or is stopped while waiting.
   * A fault does not reject it: the wait continues through a restart until its timeout.
   */
  nextFrame(timeoutMs?: number): Promise<Frame>;
  /** True between a 'fault' and the following 'recovered'. */
  readonly faulted: boolean;
  /** Subscribes; returns the unsubscribe function. A throwing listener never breaks the camera. */
  on<K extends keyof CameraEvents>(event: K, fn: (payload: CameraEvents[K]) => void): () => void;
}
