import type { DeviceError } from '../../core/errors.ts';
import type { Camera, CameraEvents, Frame } from '../../drivers/camera/interface.ts';

/**
 * The corridor's cameras as the one camera the gate starts, stops and watches: started and
 * stopped together; faulted while any one of them is (the corridor then cannot promise to see
 * every traveller, so the lane leaves service); recovered when the last one is back. The
 * corridor loop reads each camera itself (`cameras`); latest/nextFrame here are the first one's.
 */
export class CorridorCameras implements Camera {
  readonly name = 'camera';
  readonly #faulted = new Set<string>();
  readonly #listeners = { fault: new Set<(e: DeviceError) => void>(), recovered: new Set<(e: { at: number }) => void>() };

  /**
   * Set by the corridor parts: resolves when no frame is in the face engine any more. The gate
   * stops the crossing engine, then the cameras, then closes the face engine; a frame still in
   * a worker when the engine is torn down aborts the process (native code), so stop() waits.
   */
  settle: () => Promise<unknown> = async () => {};

  constructor(readonly cameras: readonly { id: string; camera: Camera }[]) {
    if (cameras.length === 0) throw new RangeError('a corridor needs cameras');
    for (const { id, camera } of cameras) {
      camera.on('fault', (err) => {
        const first = this.#faulted.size === 0;
        this.#faulted.add(id);
        // The device error names which camera: the technician must know which one to look at.
        if (first) for (const fn of this.#listeners.fault) fn(Object.assign(err, { camera: id }));
      });
      camera.on('recovered', (r) => {
        if (!this.#faulted.delete(id) || this.#faulted.size > 0) return;
        for (const fn of this.#listeners.recovered) fn(r);
      });
    }
  }

  async start(): Promise<void> {
    await Promise.all(this.cameras.map((c) => c.camera.start()));
  }

  async stop(): Promise<void> {
    await this.settle();
    await Promise.all(this.cameras.map((c) => c.camera.stop()));
  }

  latest(): Frame | undefined {
    return this.cameras[0]!.camera.latest();
  }

  nextFrame(timeoutMs?: number): Promise<Frame> {
    return this.cameras[0]!.camera.nextFrame(timeoutMs);
  }

  get faulted(): boolean {
    return this.#faulted.size > 0 || this.cameras.some((c) => c.camera.faulted);
  }

  /** Which cameras are faulted now (for status and logs). */
  get faultedIds(): string[] {
    return [...this.#faulted];
  }

  on<K extends keyof CameraEvents>(event: K, fn: (payload: CameraEvents[K]) => void): () => void {
    if (event === 'frame') throw new RangeError('read corridor frames per camera');
    const set = this.#listeners[event as 'fault' | 'recovered'] as Set<(p: CameraEvents[K]) => void>;
    set.add(fn);
    return () => set.delete(fn);
  }
}
