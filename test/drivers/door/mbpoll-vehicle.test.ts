import * as assert from 'uvu/assert';
import { peerSuite } from '../../helpers/suite.ts';
import { closeSlaveRig, mbpoll, openSlaveRig, until, type SlaveRig } from './peer-rigs.ts';

// Debian's mbpoll (libmodbus) as the master against our simulated controller in the vehicle layout.
// The plant runs on the real clock beside mbpoll processes that take their own time to start on a
// busy machine: every step waits for the plant's state (bounded) and cars are held where the
// assertion needs them, instead of sleeping a guessed time.
type Ctx = SlaveRig;

const t = peerSuite<Ctx>('door: mbpoll against the simulated controller, vehicle layout', ['socat', 'mbpoll']);

/** Last-resort bound on any one wait; a healthy run needs well under a second per step. */
const BOUND_MS = 15_000;
const inputs = async (ctx: Ctx): Promise<number[]> => (await mbpoll(ctx, ['-t', '1', '-r', '1', '-c', '7'])).values;
const faultBits = async (ctx: Ctx): Promise<number[]> => (await mbpoll(ctx, ['-t', '3', '-r', '2'])).values;
async function reach(what: string, pred: () => boolean): Promise<void> {
  assert.ok(await until(pred, BOUND_MS), `${what} within ${BOUND_MS} ms`);
}

t.before.each((ctx) => openSlaveRig(ctx, { layout: 'vehicle', barrierTravelMs: 300, watchdogMs: 0 }));
t.after.each((ctx) => closeSlaveRig(ctx));

t('a car on the loops as mbpoll reads them; barrier_raise (coil 0) lifts the arm; a lower command waits for the car to clear', async (ctx) => {
  const car = ctx.plant.car('c1').arrive();
  // barrier_down, (unused), loop_approach, loop_barrier, loop_exit, fire_alarm, tamper
  assert.equal(await inputs(ctx), [1, 0, 1, 0, 0, 0, 0]);
  const gone = car.drive();
  assert.ok((await mbpoll(ctx, ['-t', '0', '-r', '1'], ['1'])).ok);
  await reach('the car under the raised arm', () => car.place === 'under_barrier');
  car.hold(); // the driver waits under the arm
  assert.equal(await inputs(ctx), [0, 0, 0, 1, 0, 0, 0], 'arm up, the car under it');
  assert.equal((await mbpoll(ctx, ['-t', '3', '-r', '1', '-c', '2'])).values, [1, 0], 'vehicle_count 1, no fault bits');
  assert.ok((await mbpoll(ctx, ['-t', '0', '-r', '1'], ['0'])).ok);
  // However long the car stays, the arm does not come down onto it, and that is no obstruction.
  for (let i = 0; i < 3; i++) {
    assert.is((await inputs(ctx))[0], 0, 'not lowered onto the car');
    assert.equal(await faultBits(ctx), [0], 'holding for a vehicle is not an obstruction');
  }
  car.hold(false);
  await gone;
  await reach('the arm down once the car cleared', () => ctx.plant.role('barrier_down') === true);
  assert.equal(await inputs(ctx), [1, 0, 0, 0, 0, 0, 0], 'car gone, arm down');
});

t('a second car close behind reads vehicle_count 2; fire alarm raises the arm with coil 0 at 0; a blocked arm sets fault bit2', async (ctx) => {
  const first = ctx.plant.car('c1').arrive();
  const firstGone = first.drive();
  assert.ok((await mbpoll(ctx, ['-t', '0', '-r', '1'], ['1'])).ok);
  await reach('the first car under the arm', () => first.place === 'under_barrier');
  first.hold();
  const second = ctx.plant.car('c2');
  const secondGone = second.followClosely();
  await reach('the second car under the arm too', () => second.place === 'under_barrier');
  second.hold();
  assert.equal((await mbpoll(ctx, ['-t', '3', '-r', '1'])).values, [2]);
  first.hold(false);
  second.hold(false);
  await Promise.all([firstGone, secondGone]);
  assert.ok((await mbpoll(ctx, ['-t', '0', '-r', '1'], ['0'])).ok);
  await reach('the arm down', () => ctx.plant.role('barrier_down') === true);
  ctx.plant.setFireAlarm(true);
  await reach('the arm lifting on the fire alarm', () => ctx.plant.role('barrier_down') === false);
  const fire = await inputs(ctx);
  assert.equal([fire[0], fire[5]], [0, 1], 'arm up on the fire alarm');
  assert.equal((await mbpoll(ctx, ['-t', '0', '-r', '1'])).values, [0], 'coil stays 0: the controller raised it itself');
  ctx.plant.setFireAlarm(false);
  ctx.plant.block('barrier');
  await reach('fault bit2 while lowering onto an obstruction', () => ctx.plant.role('fault_bits') === 4);
  assert.equal(await faultBits(ctx), [4], 'fault bit2: obstructed while lowering');
  ctx.plant.block('barrier', false);
  await reach('the arm down once unblocked', () => ctx.plant.role('barrier_down') === true && ctx.plant.role('fault_bits') === 0);
  assert.equal(await faultBits(ctx), [0]);
  assert.is((await inputs(ctx))[0], 1);
});

t.run();
