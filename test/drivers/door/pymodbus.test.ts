import * as assert from 'uvu/assert';
import { setTimeout as sleep } from 'node:timers/promises';
import { SystemClock } from '../../../kiosk/clock.ts';
import type { DeviceError } from '../../../kiosk/errors.ts';
import type { DoorChange } from '../../../drivers/door/interface.ts';
import { createModbusDoorController } from '../../../drivers/door/modbus-master.ts';
import { peerSuite } from '../../helpers/suite.ts';
import { FixedPtyPair, testConfig } from './harness.ts';
import { closeMasterRig, openMasterRig, until, type MasterRig } from './peer-rigs.ts';
import { PymodbusSlave } from './pymodbus-peer.ts';

// Our master against an independent Modbus implementation (pymodbus 3.0) on a socat pty.
const t = peerSuite<Ctx>('door: Modbus master vs pymodbus slave', ['socat', '/usr/bin/python3', 'py:pymodbus', 'py:serial_asyncio']);

interface Ctx extends MasterRig {
  alive: { value: boolean };
  faults: DeviceError[];
  recovered: number;
  changes: DoorChange[];
}

t.before.each(async (ctx: Ctx) => {
  ctx.alive = { value: true };
  await openMasterRig(ctx, 'pedestrian', () => ctx.alive.value);
  ctx.faults = [];
  ctx.recovered = 0;
  ctx.changes = [];
  ctx.master.on('fault', (e) => ctx.faults.push(e));
  ctx.master.on('recovered', () => ctx.recovered++);
  ctx.master.on('change', (c) => ctx.changes.push(c));
  await ctx.master.start();
});

t.after.each((ctx: Ctx) => closeMasterRig(ctx));

t('reads coils, discrete inputs and input registers; writes coils (FC05/FC15) read back by pymodbus', async (ctx: Ctx) => {
  assert.ok(ctx.master.healthy);
  const s = ctx.master.snapshot();
  assert.is(s.inputs.entry_closed, true);
  assert.is(s.inputs.zone_approach, false);
  assert.is(s.registers.firmware_version, 0x0103);
  await ctx.master.setOutputs({ entry_release: true, exit_release: true, buzzer: true });
  assert.is(await ctx.peer.command('get co 0'), '1');
  assert.is(await ctx.peer.command('get co 1'), '1');
  assert.is(await ctx.peer.command('get co 6'), '1');
  assert.is(await ctx.peer.command('get co 2'), '0', 'coils not asked for are not rewritten');
  assert.is(await ctx.peer.command('get hr 1'), '600', 'watchdog_ms written on connect');
  assert.ok(await until(() => ctx.master.snapshot().outputs.exit_release === true, 1000));
});

t('input changes on the slave arrive as change events', async (ctx: Ctx) => {
  await ctx.peer.command('di 2 1');
  await ctx.peer.command('ir 0 2');
  assert.ok(await until(() => ctx.changes.some((c) => c.role === 'zone_approach' && c.value === true), 1000));
  assert.ok(await until(() => ctx.changes.some((c) => c.role === 'mantrap_occupancy' && c.value === 2), 1000));
});

t('the heartbeat register counts up while the control loop lives and freezes when it hangs', async (ctx: Ctx) => {
  const a = Number(await ctx.peer.command('get hr 0'));
  await sleep(600);
  const b = Number(await ctx.peer.command('get hr 0'));
  assert.ok(b > a, `heartbeat advanced ${a} → ${b}`);
  ctx.alive.value = false;
  // A write already in flight when the loop hung may still land (later on a busy machine): the
  // register must then stand still over a whole 700 ms window (a living loop beats several times
  // in one), within a few windows.
  const seen: number[] = [];
  for (let i = 0; i < 5; i++) {
    const c = Number(await ctx.peer.command('get hr 0'));
    await sleep(700);
    const d = Number(await ctx.peer.command('get hr 0'));
    seen.push(c, d);
    if (c === d) break;
  }
  assert.is(seen.at(-1), seen.at(-2), `no heartbeat from a hung loop (register read ${seen.join(', ')})`);
});

t('pymodbus killed mid-run: fault DOOR_TIMEOUT after retries; restarted: recovered', async (ctx: Ctx) => {
  const killedAt = Date.now();
  await ctx.peer.kill();
  assert.ok(await until(() => ctx.faults.length > 0, 3000), 'fault emitted');
  const ms = Date.now() - killedAt;
  assert.is(ctx.faults[0]!.code, 'DOOR_TIMEOUT');
  assert.ok(ms >= 800, `not before faultAfterMs (${ms} ms)`);
  ctx.peer = await PymodbusSlave.start(ctx.pty.b);
  assert.ok(await until(() => ctx.recovered === 1, 3000), 'recovered');
  assert.ok(ctx.master.healthy);
});

t('pty removed and recreated under the same name: DOOR_PORT_LOST, then reconnect and recover', async (ctx: Ctx) => {
  await ctx.peer.kill();
  await ctx.pty.kill();
  assert.ok(await until(() => ctx.faults.length > 0, 3000), 'fault emitted');
  assert.is(ctx.faults[0]!.code, 'DOOR_PORT_LOST');
  await ctx.pty.open();
  ctx.peer = await PymodbusSlave.start(ctx.pty.b);
  assert.ok(await until(() => ctx.recovered === 1, 4000), 'recovered after reconnecting');
  await ctx.master.setOutputs({ exit_green: true });
  assert.is(await ctx.peer.command('get co 4'), '1');
});

t.run();

// A role map pointing past pymodbus's registers: its exception 02 surfaces as DOOR_EXCEPTION.
const x = peerSuite('door: pymodbus exception answers', ['socat', '/usr/bin/python3', 'py:pymodbus', 'py:serial_asyncio']);
x('a poll the slave refuses (illegal address) faults with DOOR_EXCEPTION', async () => {
  const pty = new FixedPtyPair();
  await pty.open();
  const peer = await PymodbusSlave.start(pty.b);
  const config = testConfig('pedestrian', { driver: 'modbus', port: pty.a, roles: { inputRegisters: { mantrap_occupancy: 0, fault_bits: 1, firmware_version: 2, vendor_extra: 40 } } });
  const master = createModbusDoorController(config, { clock: new SystemClock(), isControlLoopAlive: () => true });
  const faults: DeviceError[] = [];
  master.on('fault', (e) => faults.push(e));
  try {
    await master.start();
    assert.is(master.healthy, false);
    assert.is(faults[0]?.code, 'DOOR_EXCEPTION');
    assert.is((faults[0]?.cause as { modbusCode?: number }).modbusCode, 2);
  } finally {
    await master.stop();
    await peer.kill();
    await pty.close();
  }
});
x.run();
