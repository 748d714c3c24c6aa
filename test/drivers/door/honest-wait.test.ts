import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Clock, TimerHandle } from '../../../core/clock.ts';
import { SimulatedClock } from '../../../core/clock.ts';
import { BusQueue } from '../../../drivers/door/bus-queue.ts';
import { honestDeadline, LoopLagMeter } from '../../../core/honest-wait.ts';
import { PlantTransport } from '../../../drivers/door/plant-transport.ts';
import { DoorPlant } from '../../../drivers/door/plant.ts';
import { PolledDoorController } from '../../../drivers/door/polled-controller.ts';
import { pedestrianRoles } from '../../../config/sections/door.ts';

/**
 * A clock whose process can be held up: `stall(ms)` moves time on without running any
 * timer (the event loop was busy), then runs the overdue ones late, in due order — what
 * Node does after a long synchronous callback or when the CPU is taken by other processes.
 */
class StallableClock implements Clock {
  #mono = 0;
  #next = 1;
  readonly #timers = new Map<number, { due: number; fn: () => void; every?: number }>();
  now = (): number => 1_700_000_000_000 + this.#mono;
  monotonic = (): number => this.#mono;
  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = this.#next++;
    this.#timers.set(id, { due: this.#mono + Math.max(1, ms), fn });
    return { id };
  }
  setInterval(fn: () => void, ms: number): TimerHandle {
    const id = this.#next++;
    this.#timers.set(id, { due: this.#mono + ms, fn, every: ms });
    return { id };
  }
  clearTimeout(h: TimerHandle | undefined): void {
    if (h) this.#timers.delete(h.id);
  }
  clearInterval(h: TimerHandle | undefined): void {
    this.clearTimeout(h);
  }
  /** Runs every timer due up to `now` at the current time (late ones late). */
  async #runDue(): Promise<void> {
    for (;;) {
      const due = [...this.#timers.entries()].filter(([, t]) => t.due <= this.#mono).sort((a, b) => a[1].due - b[1].due)[0];
      if (!due) return;
      const [id, t] = due;
      if (t.every) t.due = Math.max(t.due + t.every, this.#mono + 1);
      else this.#timers.delete(id);
      t.fn();
      await flush();
    }
  }
  /** Time passes with the loop free: timers fire on time. */
  async run(ms: number): Promise<void> {
    for (let i = 0; i < ms; i++) {
      this.#mono++;
      await this.#runDue();
    }
  }
  /** The loop is held up for `ms`; then the overdue timers run late. */
  async stall(ms: number): Promise<void> {
    this.#mono += ms;
    await this.#runDue();
  }
}

const flush = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

test('a deadline that fires late (our loop was busy) gives the I/O a turn before calling "no answer"', async () => {
  const clock = new StallableClock();
  let expired = 0;
  const d = honestDeadline(clock, 200, () => expired++);
  await clock.run(100);
  await clock.stall(900); // the answer arrived during the stall, unread
  assert.is(expired, 0, 'not expired by the late timer');
  d.cancel(); // the I/O phase delivers the answer
  await clock.run(500);
  assert.is(expired, 0);

  const silent = honestDeadline(clock, 200, () => expired++);
  await clock.stall(900);
  await clock.run(30);
  assert.is(expired, 1, 'a line that stays silent while we listen on time expires');
  silent.cancel();
});

test('the loop-lag meter reports only the hold-up beyond the period and slack', async () => {
  const clock = new StallableClock();
  const m = new LoopLagMeter(clock, 50);
  await clock.run(60);
  assert.is(m.sample(), 0);
  await clock.stall(1050);
  assert.is(m.sample(), 1050 - 50 - 50);
  assert.is(m.maxLagMs, 950);
});

test('bus queue: heartbeat and commands go before queued polls, and between a poll\'s retries', async () => {
  const q = new BusQueue();
  const order: string[] = [];
  let gate!: () => void;
  const first = q.run(() => new Promise<void>((r) => (gate = r)).then(() => void order.push('poll-1')), false, (e) => e);
  let failures = 0;
  const retried = q.run(
    async () => {
      order.push(`poll-2 attempt ${failures + 1}`);
      if (failures === 0) {
        failures++;
        void q.run(async () => void order.push('heartbeat-b'), true, (e) => e);
        throw new Error('timeout');
      }
    },
    false,
    () => undefined,
  );
  const beat = q.run(async () => void order.push('heartbeat-a'), true, (e) => e);
  gate();
  await Promise.all([first, retried, beat, q.drained()]);
  assert.equal(order, ['poll-1', 'heartbeat-a', 'poll-2 attempt 1', 'heartbeat-b', 'poll-2 attempt 2']);
});

function controller(clock: Clock, plant: DoorPlant, transport: PlantTransport): PolledDoorController {
  return new PolledDoorController({
    layout: 'pedestrian',
    roles: { coils: { ...pedestrianRoles.coils }, inputs: { ...pedestrianRoles.inputs }, inputRegisters: { ...pedestrianRoles.inputRegisters }, holdingRegisters: { ...pedestrianRoles.holdingRegisters } },
    transport,
    clock,
    isControlLoopAlive: () => true,
    retries: 2,
    pollIntervalMs: 100,
    heartbeatIntervalMs: 250,
    faultAfterMs: 1000,
    reconnectIntervalMs: 500,
  });
}

test('a controller that answers every request, slowly, is no fault; a silent one is, after faultAfterMs', async () => {
  const clock = new SimulatedClock();
  const plant = new DoorPlant({ clock, layout: 'pedestrian' });
  plant.start();
  // 190 ms per answer: a poll (three reads) with heartbeats between takes over a second.
  plant.setFault('slow');
  (plant as unknown as { slowMs: number }).slowMs = 190;
  const c = controller(clock, plant, new PlantTransport(plant, { responseTimeoutMs: 200 }));
  const faults: string[] = [];
  c.on('fault', (e) => faults.push(e.code));
  const started = c.start();
  for (let i = 0; i < 600; i++) {
    clock.advance(10);
    await flush();
  }
  await started;
  assert.equal(faults, [], 'slow answers within the response timeout are not a fault');
  assert.ok(c.stats.polls >= 3, `polls completed (${c.stats.polls})`);
  plant.setFault('silent');
  let at = 0;
  for (let i = 0; i < 200 && faults.length === 0; i++) {
    clock.advance(10);
    at += 10;
    await flush();
  }
  assert.equal(faults, ['DOOR_TIMEOUT']);
  assert.ok(at >= 1000 && at <= 1300, `silent controller faulted after ${at} ms`);
  await c.stop();
  plant.stop();
});

test('a controller answering on time while our own loop is held up is no fault', async () => {
  const clock = new StallableClock();
  const plant = new DoorPlant({ clock, layout: 'pedestrian' });
  plant.start();
  const c = controller(clock, plant, new PlantTransport(plant, { responseTimeoutMs: 200 }));
  const faults: string[] = [];
  c.on('fault', (e) => faults.push(e.code));
  const started = c.start();
  await clock.run(500);
  await started;
  for (let i = 0; i < 5; i++) {
    await clock.stall(1400); // a 1.4 s hold-up of the whole process
    await clock.run(300);
  }
  assert.equal(faults, [], 'our own hold-ups are not the controller falling silent');
  assert.ok(c.stats.maxOwnLagMs >= 1000);
  await c.stop();
  plant.stop();
});

test.run();
