import type { Clock } from '../../core/clock.ts';
import type { Leaf } from './plant-leaf.ts';

/**
 * Simulated cars in a vehicle e-Channel. A car waits on loop_approach, drives under the arm
 * once it is fully raised (loop_barrier for `underMs`), crosses loop_exit (`exitMs`) and is
 * gone; or reverses away. A car told to follow closely drives under while the car ahead is
 * still there, which the loop counts as a second vehicle.
 */
export type CarPlace = 'away' | 'approach' | 'under_barrier' | 'exit' | 'gone';

export interface TrafficTiming {
  underMs: number;
  exitMs: number;
  reverseMs: number;
}

export class SimCar {
  readonly id: string;
  #place: CarPlace = 'away';
  #goal: 'through' | 'back' | undefined;
  #until = 0;
  #held = false;
  readonly #waiters: { place: CarPlace; resolve: () => void }[] = [];
  readonly #traffic: Traffic;

  constructor(id: string, traffic: Traffic) {
    this.id = id;
    this.#traffic = traffic;
  }

  get place(): CarPlace {
    return this.#place;
  }

  /** Pulls up at the kiosk (loop_approach). Only from 'away'. */
  arrive(): this {
    if (this.#place !== 'away') throw new Error(`${this.id} cannot arrive from ${this.#place}`);
    this.#set('approach');
    return this;
  }

  /** Drives through once the arm is fully up; resolves when past loop_exit and gone. */
  drive(): Promise<void> {
    this.#goal = 'through';
    return this.#reach('gone');
  }

  /** Arrives right behind another car and drives through with it (tailgating vehicle). */
  followClosely(): Promise<void> {
    if (this.#place === 'away') this.arrive();
    return this.drive();
  }

  /** Reverses away from the kiosk or from under the arm; resolves when gone. */
  reverse(): Promise<void> {
    this.#goal = 'back';
    this.#until = this.#traffic.clock.monotonic() + this.#traffic.timing.reverseMs;
    return this.#reach('gone');
  }

  /**
   * The car stops where it is (a breakdown, a driver who waits under the arm) until released;
   * then it carries on, at once if its time on that loop has passed.
   */
  hold(on = true): this {
    this.#held = on;
    if (!on) this.#until = Math.max(this.#until, this.#traffic.clock.monotonic());
    return this;
  }

  #reach(place: CarPlace): Promise<void> {
    if (this.#place === place) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ place, resolve }));
  }

  #set(place: CarPlace): void {
    this.#place = place;
    for (let i = this.#waiters.length - 1; i >= 0; i--) {
      const w = this.#waiters[i]!;
      if (w.place === place) {
        this.#waiters.splice(i, 1);
        w.resolve();
      }
    }
  }

  tick(now: number, barrier: Leaf): void {
    const { underMs, exitMs } = this.#traffic.timing;
    if (this.#held) return;
    if (this.#goal === 'back' && (this.#place === 'approach' || this.#place === 'under_barrier')) {
      if (now >= this.#until) this.#set('gone');
      return;
    }
    switch (this.#place) {
      case 'approach':
        if (this.#goal === 'through' && barrier.open) {
          this.#set('under_barrier');
          this.#until = now + underMs;
        }
        break;
      case 'under_barrier':
        if (now >= this.#until) {
          this.#set('exit');
          this.#until = now + exitMs;
        }
        break;
      case 'exit':
        if (now >= this.#until) this.#set('gone');
        break;
      default:
        break;
    }
  }
}

export class Traffic {
  readonly clock: Clock;
  readonly timing: TrafficTiming;
  readonly cars: SimCar[] = [];
  #next = 1;

  constructor(clock: Clock, timing: TrafficTiming) {
    this.clock = clock;
    this.timing = timing;
  }

  /** A new car, 'away' until told to arrive. */
  car(id = `car-${this.#next++}`): SimCar {
    const c = new SimCar(id, this);
    this.cars.push(c);
    return c;
  }

  tick(barrier: Leaf): void {
    const now = this.clock.monotonic();
    for (const c of this.cars) c.tick(now, barrier);
    for (let i = this.cars.length - 1; i >= 0; i--) if (this.cars[i]!.place === 'gone') this.cars.splice(i, 1);
  }

  count(place: CarPlace): number {
    return this.cars.filter((c) => c.place === place).length;
  }
}
