/**
 * Worker-thread entry: owns one FacePipeline so decoding, pixel work and inference never
 * run on the gate's event loop. Protocol (see pool.ts): workerData = PipelineOptions;
 * posts {type:'ready'} or {type:'fatal'}; answers {id, input, liveness} with
 * {id, ok:true, analysis} or {id, ok:false, error:{name, code, message}}.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { EgateError } from '../errors.ts';
import { FacePipeline, type PipelineOptions } from './pipeline.ts';
import type { ImageInput } from './types.ts';

export interface WorkerRequest {
  id: number;
  input: ImageInput;
  liveness: boolean;
}

export interface WorkerError {
  name: string;
  code: string;
  message: string;
}

function describe(err: unknown): WorkerError {
  if (err instanceof EgateError) return { name: err.name, code: err.code, message: err.message };
  return { name: 'Error', code: 'INTERNAL', message: err instanceof Error ? err.message : String(err) };
}

const port = parentPort;
if (!port) throw new Error('worker.ts must run in a worker thread');

try {
  const pipeline = await FacePipeline.load(workerData as PipelineOptions);
  // One image at a time: ONNX sessions already use the configured intra-op threads.
  let chain: Promise<void> = Promise.resolve();
  port.on('message', (req: WorkerRequest) => {
    chain = chain.then(async () => {
      try {
        const analysis = await pipeline.analyse(req.input, req.liveness);
        port.postMessage({ id: req.id, ok: true, analysis });
      } catch (err) {
        port.postMessage({ id: req.id, ok: false, error: describe(err) });
      }
    });
  });
  port.postMessage({ type: 'ready' });
} catch (err) {
  port.postMessage({ type: 'fatal', error: describe(err) });
}
