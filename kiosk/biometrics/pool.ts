import { Worker } from 'node:worker_threads';
import { FaceEngineError, FaceInputError } from './errors.ts';
import type { Analysis, PipelineOptions } from './pipeline.ts';
import type { ImageInput } from './types.ts';
import type { WorkerError, WorkerRequest } from './worker.ts';

const WORKER_URL = new URL('./worker-entry.mjs', import.meta.url);

interface Pending {
  resolve: (a: Analysis) => void;
  reject: (e: Error) => void;
}

interface Slot {
  worker: Worker;
  pending: Map<number, Pending>;
}

function rebuild(e: WorkerError): Error {
  if (e.name === 'FaceInputError') return new FaceInputError(e.code, e.message);
  return new FaceEngineError(e.code === 'INTERNAL' ? 'WORKER_FAILED' : e.code, e.message);
}

/**
 * postMessage copies a typed array's whole underlying buffer; a frame cut from a larger
 * camera chunk is copied down to its own bytes first so only those cross the thread.
 */
function compact(input: ImageInput): ImageInput {
  const bytes = input instanceof Uint8Array ? input : input.data;
  if (!(bytes instanceof Uint8Array) || bytes.buffer.byteLength <= 2 * bytes.byteLength) return input;
  return input instanceof Uint8Array ? bytes.slice() : { width: input.width, height: input.height, channels: input.channels, data: bytes.slice() };
}

/**
 * A fixed set of face workers. Each request goes to the worker with the fewest pending
 * requests; a worker that dies fails its pending requests with WORKER_FAILED and is replaced,
 * so one bad image can never take the engine down for the next traveller.
 */
export class WorkerPool {
  private readonly slots: Slot[] = [];
  private nextId = 1;
  private closed = false;

  private constructor(private readonly opts: PipelineOptions) {}

  static async start(count: number, opts: PipelineOptions): Promise<WorkerPool> {
    const pool = new WorkerPool(opts);
    // Wait until every worker has either loaded or given up before closing any: terminating a
    // worker while onnxruntime is still creating its sessions throws inside native code and
    // aborts the whole process (seen when one of two workers failed first).
    const started = await Promise.allSettled(Array.from({ length: count }, () => pool.spawn()));
    const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      await pool.close();
      throw failed.reason;
    }
    return pool;
  }

  private spawn(): Promise<void> {
    const slot: Slot = { worker: new Worker(WORKER_URL, { workerData: this.opts }), pending: new Map() };
    this.slots.push(slot);
    return new Promise((resolve, reject) => {
      let ready = false;
      slot.worker.on('message', (msg: { type?: string; id?: number; ok?: boolean; analysis?: Analysis; error?: WorkerError }) => {
        if (msg.type === 'ready') {
          ready = true;
          resolve();
        } else if (msg.type === 'fatal') {
          reject(rebuild(msg.error ?? { name: 'Error', code: 'WORKER_FAILED', message: 'worker failed to start' }));
        } else if (msg.id !== undefined) {
          const p = slot.pending.get(msg.id);
          slot.pending.delete(msg.id);
          if (!p) return;
          if (msg.ok && msg.analysis) p.resolve(msg.analysis);
          else p.reject(rebuild(msg.error ?? { name: 'Error', code: 'WORKER_FAILED', message: 'empty reply' }));
        }
      });
      slot.worker.on('error', (err) => {
        if (!ready) reject(new FaceEngineError('WORKER_FAILED', `face worker failed to start: ${err.message}`, { cause: err }));
      });
      slot.worker.on('exit', (code) => {
        const i = this.slots.indexOf(slot);
        if (i >= 0) this.slots.splice(i, 1);
        for (const p of slot.pending.values()) p.reject(new FaceEngineError(this.closed ? 'ENGINE_CLOSED' : 'WORKER_FAILED', `face worker stopped (exit ${code})`));
        slot.pending.clear();
        if (!ready) reject(new FaceEngineError('WORKER_FAILED', `face worker exited during start-up (exit ${code})`));
        else if (!this.closed) this.spawn().catch(() => {});
      });
    });
  }

  analyse(input: ImageInput, liveness: boolean): Promise<Analysis> {
    if (this.closed) return Promise.reject(new FaceEngineError('ENGINE_CLOSED', 'face engine is closed'));
    const slot = this.slots.reduce<Slot | undefined>((best, s) => (!best || s.pending.size < best.pending.size ? s : best), undefined);
    if (!slot) return Promise.reject(new FaceEngineError('WORKER_FAILED', 'no face worker is running'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      slot.pending.set(id, { resolve, reject });
      const req: WorkerRequest = { id, input: compact(input), liveness };
      try {
        slot.worker.postMessage(req);
      } catch (err) {
        slot.pending.delete(id);
        reject(new FaceInputError('IMAGE_UNSUPPORTED', 'input cannot be passed to the face worker', { cause: err }));
      }
    });
  }

  /** Test control: ends one worker abruptly, as a crash in native code would. */
  async crashOneWorker(): Promise<void> {
    await this.slots[0]?.worker.terminate();
  }

  get size(): number {
    return this.slots.length;
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.slots].map((s) => s.worker.terminate()));
  }
}
