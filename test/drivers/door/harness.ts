import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { doorSection, type DoorConfig } from '../../../config/sections/door.ts';
import { SimulatedClock, SystemClock } from '../../../kiosk/clock.ts';
import type { DoorController, DoorLayout } from '../../../drivers/door/interface.ts';
import { createModbusDoorController } from '../../../drivers/door/modbus-master.ts';
import { ProcessDoorController } from '../../../drivers/door/process-controller.ts';
import { DoorPlant } from '../../../drivers/door/plant.ts';
import { RtuSlave } from '../../../drivers/door/rtu-slave.ts';
import { DoorTwin } from '../../../drivers/door/twin.ts';

/** What the contract suite needs from one door controller set-up, real or twin. */
export interface DoorHarness {
  controller: DoorController;
  plant: DoorPlant;
  config: DoorConfig;
  /** The control loop's liveness, as the gate would report it to the controller. */
  alive: { value: boolean };
  /** Lets `ms` of (real or simulated) time pass, with I/O and promises settling. */
  wait(ms: number): Promise<void>;
  /** Awaits `p` while time passes (a twin on a simulated clock answers only as time advances). */
  settle<T>(p: Promise<T>, maxMs?: number): Promise<T>;
  /** The serial device vanishes (adapter pulled / pty removed) and later returns. */
  unplug(): Promise<void>;
  plugIn(): Promise<void>;
  close(): Promise<void>;
}

export async function waitFor(h: DoorHarness, pred: () => boolean, ms: number, step = 10): Promise<boolean> {
  for (let t = 0; t <= ms; t += step) {
    if (pred()) return true;
    await h.wait(step);
  }
  return pred();
}

/** Short watchdog so that trips happen within a test; everything else at its default. */
export function testConfig(layout: DoorLayout, over: Partial<DoorConfig> = {}): DoorConfig {
  return doorSection.parse({ layout, parity: 'none', watchdogMs: 600, ...over });
}

export async function twinHarness(layout: DoorLayout = 'pedestrian'): Promise<DoorHarness> {
  const clock = new SimulatedClock(0);
  const plant = new DoorPlant({ clock, layout });
  plant.start();
  const config = testConfig(layout);
  const alive = { value: true };
  const twin = new DoorTwin(plant, config, { isControlLoopAlive: () => alive.value });
  const h: DoorHarness = {
    controller: twin,
    plant,
    config,
    alive,
    async wait(ms) {
      for (let t = 0; t < ms; t += 5) {
        clock.advance(Math.min(5, ms - t));
        await new Promise((r) => setImmediate(r));
      }
    },
    async settle(p, maxMs = 5000) {
      let done = false;
      const tracked = p.finally(() => (done = true));
      tracked.catch(() => {});
      for (let t = 0; t < maxMs && !done; t += 5) await h.wait(5);
      return tracked;
    },
    async unplug() {
      twin.unplug();
    },
    async plugIn() {
      twin.plugIn();
    },
    async close() {
      const stopping = twin.stop();
      await h.wait(50);
      await stopping;
      plant.stop();
    },
  };
  return h;
}

/** A socat pty pair at fixed paths, so that it can vanish and come back under the same names. */
export class FixedPtyPair {
  readonly dir = mkdtempSync(join(tmpdir(), 'egate-door-'));
  readonly a = join(this.dir, 'master');
  readonly b = join(this.dir, 'slave');
  #proc: ChildProcess | undefined;

  async open(): Promise<void> {
    const proc = spawn('socat', [`pty,raw,echo=0,link=${this.a}`, `pty,raw,echo=0,link=${this.b}`], { stdio: 'ignore' });
    this.#proc = proc;
    for (let i = 0; i < 250 && !(existsSync(this.a) && existsSync(this.b)); i++) {
      if (proc.exitCode !== null) break;
      await sleep(20);
    }
    if (!(existsSync(this.a) && existsSync(this.b))) throw new Error('socat did not create the pty pair');
  }

  /** Kills socat: both pty ends and their links disappear. */
  async kill(): Promise<void> {
    const proc = this.#proc;
    this.#proc = undefined;
    if (!proc || proc.exitCode !== null) return;
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGTERM');
    await Promise.race([exited, sleep(1000)]);
    if (proc.exitCode === null) proc.kill('SIGKILL');
    for (let i = 0; i < 50 && existsSync(this.a); i++) await sleep(10);
  }

  async close(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The real driver stack: our Modbus master ↔ socat pty pair ↔ our RTU slave serving the plant. */
export async function modbusHarness(layout: DoorLayout = 'pedestrian', own: 'gate' | 'process' = 'gate'): Promise<DoorHarness> {
  const clock = new SystemClock();
  const plant = new DoorPlant({ clock, layout });
  plant.start();
  const pty = new FixedPtyPair();
  await pty.open();
  const slave = new RtuSlave(plant, { path: pty.b, reopenMs: 100 });
  await slave.start();
  const config = testConfig(layout, { driver: 'modbus', port: pty.a, reconnectIntervalMs: 200 });
  const alive = { value: true };
  const deps = { clock, isControlLoopAlive: () => alive.value };
  const controller = own === 'process' ? new ProcessDoorController(config, deps) : createModbusDoorController(config, deps);
  return {
    controller,
    plant,
    config,
    alive,
    wait: (ms) => sleep(ms),
    settle: (p) => p,
    unplug: () => pty.kill(),
    plugIn: () => pty.open(),
    async close() {
      await controller.stop();
      await slave.stop();
      plant.stop();
      await pty.close();
    },
  };
}
