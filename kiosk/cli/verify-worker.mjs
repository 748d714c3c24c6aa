// Verifies a journal off the main thread: a long chain must not stall the gate's control
// loop (and with it the door heartbeat). tsx is registered here because worker threads do
// not inherit its loader for their entry file on Node 20.
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { verifyJournal } = await import('../journal/verify.ts');
try {
  parentPort.postMessage({ ok: true, result: verifyJournal(workerData.path) });
} catch (err) {
  parentPort.postMessage({ ok: false, code: err.code ?? 'INTERNAL', message: err.message });
}
