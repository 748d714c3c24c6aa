/**
 * Worker thread for the concurrency test: its own connection to the same journal file,
 * appending `count` events as fast as it can while the other writers do the same.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { SystemClock } from '../../kiosk/clock.ts';
import { Journal } from '../../kiosk/journal/journal.ts';

const { path, secretPath, count, writer } = workerData as { path: string; secretPath: string; count: number; writer: string };
const j = Journal.open({ path, gate: 'LMC-A-07', clock: new SystemClock(), secretPath });
// start together with the other writers, so their transactions really contend
parentPort?.once('message', () => {
  const seqs: number[] = [];
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (let i = 0; i < count; i++) {
    seqs.push(j.append('maintenance_action', { action: 'test', writer, i }).seq);
    // a short pause between transactions lets the other writers' busy handlers get the lock
    if (i % 2 === 0) Atomics.wait(pause, 0, 0, 1);
  }
  j.close();
  parentPort?.postMessage(seqs);
});
parentPort?.postMessage('ready');
