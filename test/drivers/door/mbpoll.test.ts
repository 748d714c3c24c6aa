import * as assert from 'uvu/assert';
import { peerSuite } from '../../helpers/suite.ts';
import { closeSlaveRig, mbpoll, openSlaveRig, type SlaveRig } from './peer-rigs.ts';

// Debian's mbpoll (libmodbus) as an independent master against our simulated controller.
type Ctx = SlaveRig;

const t = peerSuite<Ctx>('door: mbpoll against the simulated controller', ['socat', 'mbpoll']);

t.before.each((ctx) => openSlaveRig(ctx));
t.after.each((ctx) => closeSlaveRig(ctx));

t('reads coils (FC01), discrete inputs (FC02), input registers (FC04) and holding registers (FC03)', async (ctx) => {
  ctx.plant.traveller().arrive();
  ctx.plant.setTamper(true);
  assert.equal((await mbpoll(ctx, ['-t', '0', '-r', '1', '-c', '8'])).values, [0, 0, 0, 0, 0, 0, 0, 0]);
  assert.equal((await mbpoll(ctx, ['-t', '1', '-r', '1', '-c', '7'])).values, [1, 1, 1, 0, 0, 0, 1]);
  assert.equal((await mbpoll(ctx, ['-t', '3', '-r', '1', '-c', '3'])).values, [0, 0, 0x0103]);
  assert.equal((await mbpoll(ctx, ['-t', '4', '-r', '1', '-c', '2'])).values, [0, 3000]);
});

t('writes a coil (FC05) and the heartbeat register (FC06); a new heartbeat clears a watchdog trip', async (ctx) => {
  assert.ok((await mbpoll(ctx, ['-t', '0', '-r', '2'], ['1'])).ok);
  assert.is(ctx.plant.readCoil(1), true);
  assert.ok((await mbpoll(ctx, ['-t', '4', '-r', '2'], ['400'])).ok);
  assert.is(ctx.plant.readHoldingRegister(1), 400);
  await new Promise((r) => setTimeout(r, 500));
  assert.is(ctx.plant.tripped, true, 'no heartbeat for watchdog_ms');
  const refused = await mbpoll(ctx, ['-t', '0', '-r', '1'], ['1']);
  assert.is(refused.ok, false, 'opening refused while tripped');
  assert.match(refused.stderr, /failure|exception/i);
  assert.ok((await mbpoll(ctx, ['-t', '4', '-r', '1'], ['42'])).ok);
  assert.is(ctx.plant.readHoldingRegister(0), 42);
  assert.is(ctx.plant.tripped, false);
  assert.ok((await mbpoll(ctx, ['-t', '0', '-r', '1'], ['1'])).ok);
  assert.is(ctx.plant.readCoil(0), true);
});

t('an address outside the map is answered with exception 02 (Illegal data address)', async (ctx) => {
  const r = await mbpoll(ctx, ['-t', '3', '-r', '10', '-c', '1']);
  assert.is(r.ok, false);
  assert.match(r.stderr, /Illegal data address/);
  assert.is(ctx.slave.stats.exceptions, 1);
});

t('personality silent: mbpoll times out; bad_crc: mbpoll rejects the answer; slow: misses its timeout', async (ctx) => {
  ctx.plant.setFault('silent');
  const silent = await mbpoll(ctx, ['-t', '1', '-r', '1', '-c', '7']);
  assert.is(silent.ok, false);
  assert.match(silent.stderr, /timed out/i);
  ctx.plant.setFault('bad_crc');
  const bad = await mbpoll(ctx, ['-t', '1', '-r', '1', '-c', '7']);
  assert.is(bad.ok, false);
  assert.match(bad.stderr, /CRC|Invalid/i);
  ctx.plant.setFault('slow');
  ctx.plant.slowMs = 400;
  const slow = await mbpoll(ctx, ['-o', '0.2', '-t', '1', '-r', '1', '-c', '7']);
  assert.is(slow.ok, false, 'an answer after 400 ms misses a 200 ms timeout');
  await new Promise((r) => setTimeout(r, 300));
  ctx.plant.setFault('none');
  assert.equal((await mbpoll(ctx, ['-t', '1', '-r', '1', '-c', '2'])).values, [1, 1]);
});

t.run();
