/**
 * The faults the soak injects at random (issue 11.12): kill -9 of the gate, the broker
 * down, the serial line pulled, the controller restarted, the camera stalled, fire-alarm
 * blips and the data disk nearly full. Each resolves once the fault is over (the world is
 * back as it was); the gate has to cope by itself.
 */
import { unlinkSync, statfsSync, openSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import type { Judge } from './judge.ts';
import type { SoakRig } from './rig.ts';

export type FaultKind = 'kill' | 'broker' | 'serial' | 'controller' | 'camera' | 'fire' | 'disk';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class Faults {
  readonly #rig: SoakRig;
  readonly #judge: Judge;
  readonly #random: () => number;
  readonly counts: Record<FaultKind, number> = { kill: 0, broker: 0, serial: 0, controller: 0, camera: 0, fire: 0, disk: 0 };
  /** ms from spawn to in_service.idle, for every start after a kill. */
  readonly restartMs: number[] = [];
  /** Starts that did not reach service within the bound (then killed and tried again). */
  failedStarts = 0;

  constructor(rig: SoakRig, judge: Judge, random: () => number) {
    this.#rig = rig;
    this.#judge = judge;
    this.#random = random;
  }

  /** A fault other than a kill, picked at random among those this machine can play. */
  pickOther(): FaultKind {
    const kinds: FaultKind[] = ['broker', 'serial', 'controller', 'camera', 'fire', ...(this.#rig.canFillDisk ? (['disk'] as const) : [])];
    return kinds[Math.floor(this.#random() * kinds.length)]!;
  }

  /** Every fault injected, with when it began and ended (performance.now()), for explaining what the judge saw. */
  readonly timeline: { kind: FaultKind; from: number; to?: number }[] = [];

  /** The faults that began within the last `ms` (or are still on), as "kill 12.3 s ago (4.1 s long)". */
  recent(ms: number, now = performance.now()): string[] {
    return this.timeline
      .filter((f) => (f.to ?? now) >= now - ms)
      .map((f) => `${f.kind} ${((now - f.from) / 1000).toFixed(1)} s ago (${f.to === undefined ? 'still on' : `${((f.to - f.from) / 1000).toFixed(1)} s long`})`);
  }

  async inject(kind: FaultKind): Promise<void> {
    this.counts[kind]++;
    const entry: { kind: FaultKind; from: number; to?: number } = { kind, from: performance.now() };
    this.timeline.push(entry);
    // The gate gone or its link cut: no heartbeat gap is measured until it is back.
    const silencing = kind === 'kill' || kind === 'serial' || kind === 'controller';
    if (silencing) this.#judge.pauseBeats();
    try {
      await this.#play(kind);
    } finally {
      entry.to = performance.now();
      if (silencing) this.#judge.resumeBeats();
    }
  }

  async #play(kind: FaultKind): Promise<void> {
    switch (kind) {
      case 'kill':
        return this.#kill();
      case 'broker':
        await this.#rig.broker.kill('SIGTERM');
        await sleep(2000 + this.#random() * 4000);
        await this.#rig.broker.start();
        return;
      case 'serial':
        await this.#rig.door.kill();
        await sleep(1500 + this.#random() * 2500);
        await this.#rig.door.open();
        return;
      case 'controller':
        return this.#restartController();
      case 'camera':
        return this.#stallCamera();
      case 'fire':
        return this.#fireBlip();
      case 'disk':
        return this.#fillDisk();
    }
  }

  /** kill -9, the doors timed closed on the plant, then a fresh start (as systemd would). */
  async #kill(): Promise<void> {
    await this.#rig.killGate();
    await this.#judge.afterKill(performance.now());
    await this.startGate();
  }

  /** Technician resets, by what the lane was latched for when the soak called one. */
  readonly resets: string[] = [];

  /**
   * Starts the gate and waits for service. A gate that comes back latched out of service
   * (a forced door, an alarm awaiting reset) gets a technician reset after 30 s, as on site;
   * a start that hangs is killed and retried.
   */
  async startGate(): Promise<void> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const run = this.#rig.startGate();
      let idle = false;
      void run.idle.then(() => (idle = true), () => {});
      const end = Date.now() + 150_000;
      for (let resetAt = Date.now() + 30_000; !idle && Date.now() < end && run.proc.exitCode === null; await sleep(250)) {
        if (Date.now() < resetAt) continue;
        await this.technicianReset('at start');
        // On site the technician also sees anyone left standing in the lane and walks them out.
        this.#escortOut?.();
        resetAt = Date.now() + 15_000;
      }
      const ok = idle;
      if (ok) {
        this.restartMs.push(Math.round(performance.now() - run.startedAt));
        return;
      }
      this.failedStarts++;
      await this.#rig.killGate();
      await sleep(1000);
    }
    throw new Error('the gate did not come into service in three starts');
  }

  /** Calls the technician; `why` is what the soak saw (the journal tells the gate's reason). */
  /** Set by the run: walks anyone still inside the lane out through the entry (a technician's escort). */
  #escortOut: (() => void) | undefined;
  set escortOut(fn: () => void) {
    this.#escortOut = fn;
  }

  async technicianReset(why: string): Promise<void> {
    this.resets.push(`${why}: ${await this.#rig.technicianReset()}`);
  }

  /** The controller reboots: off the line for a while, coils off, watchdog_ms back to its default. */
  async #restartController(): Promise<void> {
    const { plant } = this.#rig;
    await this.#rig.slave.stop();
    await sleep(1000 + this.#random() * 1500);
    for (let a = 0; a < 8; a++) plant.writeCoil(a, false);
    plant.writeHoldingRegister(1, this.#rig.watchdogMs);
    await this.#rig.startController();
  }

  /** The camera stops delivering (SIGSTOP of the gate's ffmpeg) past the stall time, then resumes. */
  async #stallCamera(): Promise<void> {
    const pid = this.#rig.cameraPid();
    if (!pid) return;
    try {
      process.kill(pid, 'SIGSTOP');
      await sleep(3000 + this.#random() * 2000);
      process.kill(pid, 'SIGCONT');
    } catch {
      /* the gate restarted its camera meanwhile */
    }
  }

  /** One short blip of the fire input (shorter than one poll): not an alarm; no door may open for it. */
  async #fireBlip(): Promise<void> {
    const { plant } = this.#rig;
    plant.setFireAlarm(true);
    await sleep(40);
    plant.setFireAlarm(false);
    this.#judge.fireBlips++;
  }

  /** The data disk nearly full (256 KiB left) for a while, then freed. */
  async #fillDisk(): Promise<void> {
    const file = join(this.#rig.dataDir, 'filler.bin');
    const st = statfsSync(this.#rig.dataDir);
    const free = st.bavail * st.bsize - 256 * 1024;
    if (free > 0) {
      const fd = openSync(file, 'w');
      const chunk = Buffer.alloc(1024 * 1024);
      try {
        for (let left = free; left > 0; left -= chunk.length) writeSync(fd, chunk, 0, Math.min(chunk.length, left));
      } catch {
        /* full */
      } finally {
        closeSync(fd);
      }
    }
    await sleep(5000 + this.#random() * 5000);
    unlinkSync(file);
  }
}
