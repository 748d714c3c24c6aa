import * as assert from 'uvu/assert';
import { DispenserPlant } from '../../drivers/dispenser/plant.ts';
import { RtuSlave } from '../../drivers/door/rtu-slave.ts';
import { SystemClock } from '../../kiosk/clock.ts';
import { FixedPtyPair } from '../drivers/door/harness.ts';
import { mbpoll } from '../drivers/door/peer-rigs.ts';
import { peerSuite } from '../helpers/suite.ts';
import { until } from './contract.ts';

// Debian's mbpoll (libmodbus) as an independent master against the simulated dispenser
// controller, kiosk layout of docs/kiosk-io.md (mbpoll's -r is 1-based).
type Ctx = { pty: FixedPtyPair; plant: DispenserPlant; slave: RtuSlave };
const t = peerSuite<Ctx>('card dispenser: mbpoll against the simulated kiosk controller', ['socat', 'mbpoll']);

t.before.each(async (ctx) => {
  ctx.pty = new FixedPtyPair();
  await ctx.pty.open();
  ctx.plant = new DispenserPlant({ clock: new SystemClock(), moveMs: 300, watchdogMs: 0 });
  ctx.plant.start();
  ctx.slave = new RtuSlave(ctx.plant, { path: ctx.pty.b });
  await ctx.slave.start();
});

t.after.each(async (ctx) => {
  await ctx.slave.stop();
  ctx.plant.stop();
  await ctx.pty.close();
});

t('reads the kiosk layout: 5 coils, 6 inputs, 3 input registers, 4 holding registers', async (ctx) => {
  ctx.plant.setTamper(true);
  assert.equal((await mbpoll(ctx, ['-t', '0', '-r', '1', '-c', '5'])).values, [0, 0, 0, 0, 0]);
  assert.equal((await mbpoll(ctx, ['-t', '1', '-r', '1', '-c', '6'])).values, [0, 0, 0, 0, 0, 1]);
  assert.equal((await mbpoll(ctx, ['-t', '3', '-r', '1', '-c', '3'])).values, [0, 0, 0x0100]);
  assert.equal((await mbpoll(ctx, ['-t', '4', '-r', '1', '-c', '4'])).values, [0, 0, 1, 60]);
  const outside = await mbpoll(ctx, ['-t', '0', '-r', '6', '-c', '1']);
  assert.is(outside.ok, false);
  assert.match(outside.stderr, /Illegal data address/);
});

t('fetch, present and take through FC06/FC05 as the contract says; present without a card is refused', async (ctx) => {
  ctx.plant.load(3, 'card-3');
  const refused = await mbpoll(ctx, ['-t', '0', '-r', '2'], ['1']);
  assert.is(refused.ok, false, 'present with no card at the reader');
  assert.match(refused.stderr, /failure|exception/i);
  assert.ok((await mbpoll(ctx, ['-t', '4', '-r', '3'], ['3'])).ok, 'slot 3');
  assert.ok((await mbpoll(ctx, ['-t', '0', '-r', '1'], ['1'])).ok, 'fetch');
  assert.ok(await until(() => ctx.plant.card.place === 'reader'));
  assert.equal((await mbpoll(ctx, ['-t', '0', '-r', '1', '-c', '1'])).values, [0], 'the controller cleared the command coil');
  assert.equal((await mbpoll(ctx, ['-t', '1', '-r', '1', '-c', '2'])).values, [1, 0], 'card_at_reader');
  assert.ok((await mbpoll(ctx, ['-t', '0', '-r', '2'], ['1'])).ok, 'present');
  assert.ok(await until(() => ctx.plant.card.place === 'mouth'));
  assert.ok(ctx.plant.take());
  assert.equal((await mbpoll(ctx, ['-t', '1', '-r', '1', '-c', '3'])).values, [0, 0, 1], 'card_taken');
  const badSlot = await mbpoll(ctx, ['-t', '4', '-r', '3'], ['0']);
  assert.is(badSlot.ok, false, 'slot 0 is exception 03');
});

t('the watchdog: no heartbeat for watchdog_ms retains the card in the mouth; a new heartbeat clears the trip', async (ctx) => {
  ctx.plant.load(1, 'card-1');
  assert.ok((await mbpoll(ctx, ['-t', '0', '-r', '1'], ['1'])).ok, 'fetch slot 1');
  assert.ok(await until(() => ctx.plant.card.place === 'reader'));
  assert.ok((await mbpoll(ctx, ['-t', '0', '-r', '2'], ['1'])).ok, 'present');
  assert.ok(await until(() => ctx.plant.card.place === 'mouth'));
  assert.ok((await mbpoll(ctx, ['-t', '4', '-r', '2'], ['500'])).ok, 'watchdog_ms 500');
  assert.ok(await until(() => ctx.plant.tripped));
  assert.equal(ctx.plant.bin, ['card-1']);
  assert.equal((await mbpoll(ctx, ['-t', '3', '-r', '1', '-c', '2'])).values, [1, 8 | 0], 'bin_count 1, fault bit3');
  assert.equal((await mbpoll(ctx, ['-t', '0', '-r', '5', '-c', '1'])).values, [1], 'out_of_service_sign lit');
  // A long watchdog first, so a loaded machine cannot trip it again before the assertion.
  assert.ok((await mbpoll(ctx, ['-t', '4', '-r', '2'], ['60000'])).ok, 'watchdog_ms 60000');
  assert.ok((await mbpoll(ctx, ['-t', '4', '-r', '1'], ['42'])).ok, 'heartbeat');
  assert.is(ctx.plant.tripped, false);
});

t.run();
