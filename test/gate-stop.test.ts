import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SimulatedClock } from '../kiosk/clock.ts';
import { PART_STOP_BOUND_MS, stopParts } from '../kiosk/gate-stop.ts';
import { silentLogger } from '../kiosk/log.ts';
import { startTestGate } from './cli/harness.ts';

const never = (): Promise<void> => new Promise<void>(() => {});
const flush = async (): Promise<void> => {
  for (let i = 0; i < 20; i++) await Promise.resolve();
};

test('a reader whose stop never settles costs one bound on the gate clock; crossing, camera and doors stop after it, in that order', async () => {
  const clock = new SimulatedClock(0);
  const order: string[] = [];
  const stoppers = {
    door: () => void order.push('door'),
    camera: () => void order.push('camera'),
    crossing: () => void order.push('crossing'),
    'qr-1': async () => {
      order.push('qr-1');
      throw new Error('port gone');
    },
    chip: never,
  };
  let done = false;
  const run = stopParts(['door', 'camera', 'crossing', 'qr-1', 'chip'], stoppers, { clock, log: silentLogger() }).then((r) => {
    done = true;
    return r;
  });
  await flush();
  assert.not.ok(done, 'waits for the hung chip reader within its bound');
  assert.equal(order, ['qr-1']);
  clock.advance(PART_STOP_BOUND_MS - 1);
  await flush();
  assert.not.ok(done);
  clock.advance(1);
  const outcome = await run;
  assert.equal(order, ['qr-1', 'crossing', 'camera', 'door']);
  assert.equal(outcome, { chip: 'timed_out', 'qr-1': 'failed', crossing: 'stopped', camera: 'stopped', door: 'stopped' });
});

test('Gate.stop() with hung scanner, card reader and camera still stops the doors and closes the journal', async () => {
  const g = await startTestGate();
  const { deps } = g.gate;
  const reached: string[] = [];
  const scanner = deps.scanners[0]!;
  const card = deps.card!;
  const originals = [scanner.stop.bind(scanner), card.stop.bind(card), deps.camera.stop.bind(deps.camera)];
  scanner.stop = never;
  card.stop = never;
  deps.camera.stop = never;
  const doorStop = deps.door.stop.bind(deps.door);
  deps.door.stop = async () => {
    reached.push('door');
    await doorStop();
  };
  const journalClose = deps.journal.close.bind(deps.journal);
  deps.journal.close = () => {
    reached.push('journal');
    journalClose();
  };
  // Last-resort deadline only: two bounds (readers together, then the camera) are expected.
  const deadline = new Promise<'hung'>((r) => setTimeout(() => r('hung'), 30_000).unref());
  const r = await Promise.race([g.gate.stop().then(() => 'stopped' as const), deadline]);
  assert.is(r, 'stopped');
  assert.equal(reached, ['door', 'journal']);
  // The abandoned parts are really stopped now, so that this process can end.
  for (const stop of originals) await stop();
  await g.close();
});

test.run();
