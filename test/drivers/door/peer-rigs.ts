import { execFile } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { SystemClock } from '../../../kiosk/clock.ts';
import type { DoorController, DoorLayout } from '../../../drivers/door/interface.ts';
import { createModbusDoorController } from '../../../drivers/door/modbus-master.ts';
import { DoorPlant, type PlantOptions } from '../../../drivers/door/plant.ts';
import { RtuSlave } from '../../../drivers/door/rtu-slave.ts';
import { FixedPtyPair, testConfig } from './harness.ts';
import { PymodbusSlave } from './pymodbus-peer.ts';

/*
 * Set-ups for the tests that pit an independent Modbus implementation against ours, shared
 * by the pedestrian and vehicle files so both layouts run against the same rig: only the
 * layout (and the assertions) differ. Each open* fills the suite context, close* undoes it.
 */

const run = promisify(execFile);

/** Our RTU slave serving a plant on one end of a socat pty; an external master talks to `pty.a`. */
export interface SlaveRig {
  pty: FixedPtyPair;
  plant: DoorPlant;
  slave: RtuSlave;
}

export async function openSlaveRig(ctx: SlaveRig, plant: Omit<PlantOptions, 'clock'> = {}): Promise<void> {
  ctx.pty = new FixedPtyPair();
  await ctx.pty.open();
  ctx.plant = new DoorPlant({ clock: new SystemClock(), ...plant });
  ctx.plant.start();
  ctx.slave = new RtuSlave(ctx.plant, { path: ctx.pty.b });
  await ctx.slave.start();
}

export async function closeSlaveRig(ctx: SlaveRig): Promise<void> {
  await ctx.slave.stop();
  ctx.plant.stop();
  await ctx.pty.close();
}

/** Runs mbpoll once (-1) with RTU 19200 8N1 on the pty; -r is 1-based. Returns its values or error text. */
export async function mbpoll(ctx: { pty: FixedPtyPair }, args: string[], values: string[] = []): Promise<{ values: number[]; stderr: string; ok: boolean }> {
  const argv = ['-m', 'rtu', '-a', '1', '-b', '19200', '-P', 'none', '-1', '-o', '0.5', ...args, ctx.pty.a, ...values];
  try {
    const r = await run('mbpoll', argv, { timeout: 5000 });
    return { values: [...r.stdout.matchAll(/^\[\d+\]:\s+(-?\d+)/gm)].map((m) => Number(m[1])), stderr: r.stderr, ok: true };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    return { values: [], stderr: `${e.stderr ?? ''}${e.stdout ?? ''}`, ok: false };
  }
}

/** Our Modbus master against pymodbus as the slave on a socat pty. */
export interface MasterRig {
  pty: FixedPtyPair;
  peer: PymodbusSlave;
  master: DoorController;
}

/** Leaves the master created but not started, so a test can subscribe to its events first. */
export async function openMasterRig(ctx: MasterRig, layout: DoorLayout, isControlLoopAlive: () => boolean): Promise<void> {
  ctx.pty = new FixedPtyPair();
  await ctx.pty.open();
  ctx.peer = await PymodbusSlave.start(ctx.pty.b);
  ctx.master = createModbusDoorController(testConfig(layout, { driver: 'modbus', port: ctx.pty.a, reconnectIntervalMs: 200 }), {
    clock: new SystemClock(),
    isControlLoopAlive,
  });
}

export async function closeMasterRig(ctx: MasterRig): Promise<void> {
  await ctx.master.stop();
  await ctx.peer.kill();
  await ctx.pty.close();
}

/** Polls `pred` every 10 ms of real time for up to `ms`; the peers run on their own clock. */
export async function until(pred: () => boolean, ms: number): Promise<boolean> {
  for (let t0 = Date.now(); Date.now() - t0 < ms; await sleep(10)) if (pred()) return true;
  return pred();
}
