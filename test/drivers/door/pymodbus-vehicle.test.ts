import * as assert from 'uvu/assert';
import type { DoorChange } from '../../../drivers/door/interface.ts';
import { peerSuite } from '../../helpers/suite.ts';
import { closeMasterRig, openMasterRig, until, type MasterRig } from './peer-rigs.ts';

// Our master in the vehicle layout against pymodbus 3.0 as the barrier controller (socat pty).
const t = peerSuite<Ctx>('door: vehicle layout, Modbus master vs pymodbus slave', ['socat', '/usr/bin/python3', 'py:pymodbus', 'py:serial_asyncio']);

interface Ctx extends MasterRig {
  changes: DoorChange[];
}

/** One command at a time: the peer reads stdin a line per wake-up, so batched lines would wait. */
async function coils(ctx: Ctx, addrs: number[]): Promise<string[]> {
  const out: string[] = [];
  for (const a of addrs) out.push(await ctx.peer.command(`get co ${a}`));
  return out;
}

t.before.each(async (ctx: Ctx) => {
  await openMasterRig(ctx, 'vehicle', () => true);
  ctx.changes = [];
  ctx.master.on('change', (c) => ctx.changes.push(c));
  await ctx.master.start();
});

t.after.each((ctx: Ctx) => closeMasterRig(ctx));

t('vehicle roles by position: barrier_down, the three loops, fire and tamper; vehicle_count and fault_bits', async (ctx: Ctx) => {
  assert.ok(ctx.master.healthy);
  const s = ctx.master.snapshot();
  assert.equal(Object.keys(s.inputs).sort(), ['barrier_down', 'fire_alarm', 'loop_approach', 'loop_barrier', 'loop_exit', 'tamper']);
  assert.is(s.inputs.barrier_down, true, 'discrete input 0 is barrier_down');
  assert.is(s.inputs.loop_approach, false);
  for (const [addr, role] of [[2, 'loop_approach'], [3, 'loop_barrier'], [4, 'loop_exit'], [5, 'fire_alarm'], [6, 'tamper']] as const) {
    assert.is(await ctx.peer.command(`di ${addr} 1`), 'ok');
    assert.ok(await until(() => ctx.master.snapshot().inputs[role] === true, 1000), `${role} at discrete input ${addr}`);
  }
  await ctx.peer.command('ir 0 2');
  await ctx.peer.command('ir 1 4');
  assert.ok(await until(() => ctx.master.snapshot().registers.vehicle_count === 2, 1000), 'input register 0 is vehicle_count');
  assert.ok(await until(() => ctx.master.snapshot().registers.fault_bits === 4, 1000));
  assert.ok(ctx.changes.some((c) => c.role === 'loop_barrier' && c.value === true));
});

t('barrier_raise is coil 0, green 2, red 3, buzzer 6, sign 7; coils 1, 4 and 5 (pedestrian-only) are never written', async (ctx: Ctx) => {
  await ctx.peer.command('co 1 1');
  await ctx.peer.command('co 5 1');
  await ctx.master.setOutputs({ barrier_raise: true, green: true, red: false, buzzer: true, out_of_service_sign: false });
  assert.equal(await coils(ctx, [0, 2, 3, 6, 7]), ['1', '1', '0', '1', '0']);
  assert.is(await ctx.peer.command('get co 1'), '1', 'coil 1 left as the controller had it');
  assert.is(await ctx.peer.command('get co 5'), '1');
  await ctx.master.setOutputs({ barrier_raise: false, green: false, red: true });
  assert.equal(await coils(ctx, [0, 2, 3]), ['0', '0', '1']);
  assert.ok(await until(() => ctx.master.snapshot().outputs.red === true, 1000));
});

t.run();
