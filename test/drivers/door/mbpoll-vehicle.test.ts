import * as assert from 'uvu/assert';
import { peerSuite } from '../../helpers/suite.ts';
import { closeSlaveRig, mbpoll, openSlaveRig, type SlaveRig } from './peer-rigs.ts';

// Debian's mbpoll (libmodbus) as the master against our simulated controller in the vehicle layout.
type Ctx = SlaveRig;

const t = peerSuite<Ctx>('door: mbpoll against the simulated controller, vehicle layout', ['socat', 'mbpoll']);

const inputs = async (ctx: Ctx): Promise<number[]> => (await mbpoll(ctx, ['-t', '1', '-r', '1', '-c', '7'])).values;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

t.before.each((ctx) => openSlaveRig(ctx, { layout: 'vehicle', barrierTravelMs: 300, watchdogMs: 0 }));
t.after.each((ctx) => closeSlaveRig(ctx));

t('a car on the loops as mbpoll reads them; barrier_raise (coil 0) lifts the arm; a lower command waits for the car to clear', async (ctx) => {
  const car = ctx.plant.car('c1').arrive();
  // barrier_down, (unused), loop_approach, loop_barrier, loop_exit, fire_alarm, tamper
  assert.equal(await inputs(ctx), [1, 0, 1, 0, 0, 0, 0]);
  void car.drive();
  assert.ok((await mbpoll(ctx, ['-t', '0', '-r', '1'], ['1'])).ok);
  await sleep(450);
  assert.equal(await inputs(ctx), [0, 0, 0, 1, 0, 0, 0], 'arm up, the car under it');
  assert.equal((await mbpoll(ctx, ['-t', '3', '-r', '1', '-c', '2'])).values, [1, 0], 'vehicle_count 1, no fault bits');
  assert.ok((await mbpoll(ctx, ['-t', '0', '-r', '1'], ['0'])).ok);
  await sleep(400);
  assert.is((await inputs(ctx))[0], 0, 'not lowered onto the car');
  assert.equal((await mbpoll(ctx, ['-t', '3', '-r', '2'])).values, [0], 'holding for a vehicle is not an obstruction');
  // The car takes ~2.5 s to clear both loops, the arm 0.3 s to come down: wait for it (bounded),
  // rather than guess how long a loaded machine needs.
  let seen = await inputs(ctx);
  for (const deadline = Date.now() + 8000; JSON.stringify(seen) !== '[1,0,0,0,0,0,0]' && Date.now() < deadline; seen = await inputs(ctx)) await sleep(200);
  assert.equal(seen, [1, 0, 0, 0, 0, 0, 0], 'car gone, arm down');
});

t('a second car close behind reads vehicle_count 2; fire alarm raises the arm with coil 0 at 0; a blocked arm sets fault bit2', async (ctx) => {
  const first = ctx.plant.car('c1').arrive();
  void first.drive();
  ctx.plant.car('c2').arrive();
  assert.ok((await mbpoll(ctx, ['-t', '0', '-r', '1'], ['1'])).ok);
  await sleep(400);
  void ctx.plant.car('c3').followClosely();
  await sleep(100);
  assert.equal((await mbpoll(ctx, ['-t', '3', '-r', '1'])).values, [2]);
  await sleep(2800);
  assert.ok((await mbpoll(ctx, ['-t', '0', '-r', '1'], ['0'])).ok);
  ctx.plant.setFireAlarm(true);
  await sleep(450);
  const fire = await inputs(ctx);
  assert.equal([fire[0], fire[5]], [0, 1], 'arm up on the fire alarm');
  assert.equal((await mbpoll(ctx, ['-t', '0', '-r', '1'])).values, [0], 'coil stays 0: the controller raised it itself');
  ctx.plant.setFireAlarm(false);
  ctx.plant.block('barrier');
  await sleep(200);
  assert.equal((await mbpoll(ctx, ['-t', '3', '-r', '2'])).values, [4], 'fault bit2: obstructed while lowering');
  ctx.plant.block('barrier', false);
  await sleep(450);
  assert.equal((await mbpoll(ctx, ['-t', '3', '-r', '2'])).values, [0]);
  assert.is((await inputs(ctx))[0], 1);
});

t.run();
