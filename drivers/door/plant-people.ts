import type { Clock } from '../../core/clock.ts';
import type { Leaf } from './plant-leaf.ts';

/**
 * Simulated travellers in a pedestrian e-Channel. Each one is told what to do next
 * (arrive, enter the mantrap, exit, back out, leave) and does it as soon as the doors allow,
 * one person per doorway at a time. Passing a doorway takes `passMs`; a door that closes on
 * someone in its doorway is obstructed until they are through.
 */
export type PersonPlace = 'away' | 'approach' | 'entry_doorway' | 'mantrap' | 'exit_doorway' | 'exit_zone' | 'gone';
type Goal = 'mantrap' | 'exit_zone' | 'away';

export interface CrowdTiming {
  /** Time to walk through a doorway. */
  passMs: number;
  /** Time to walk away from the approach or exit area once leaving. */
  clearMs: number;
}

export class SimPerson {
  readonly id: string;
  #place: PersonPlace = 'away';
  /** Goals in the order they were given; the first is pursued, the rest follow without waiting for the caller. */
  #plan: Goal[] = [];
  #lingering = false;
  #until = 0;
  #outward = false;
  readonly #waiters: { place: PersonPlace; resolve: () => void }[] = [];
  readonly #crowd: Crowd;

  constructor(id: string, crowd: Crowd) {
    this.id = id;
    this.#crowd = crowd;
  }

  get place(): PersonPlace {
    return this.#place;
  }

  get #goal(): Goal | undefined {
    return this.#plan[0];
  }

  /** Steps in front of the entry door (zone_approach). Only from 'away'. */
  arrive(): this {
    if (this.#place !== 'away') throw new Error(`${this.id} cannot arrive from ${this.#place}`);
    this.#set('approach');
    return this;
  }

  /** Walks into the mantrap once the entry door is fully open; resolves when inside. */
  enterMantrap(): Promise<void> {
    this.#plan.push('mantrap');
    return this.#reach('mantrap');
  }

  /**
   * Leaves through the exit door once it is fully open (after any earlier goal); resolves in
   * the exit zone. Then walks off after `clearMs` unless lingering.
   */
  exit(): Promise<void> {
    this.#plan.push('exit_zone');
    return this.#reach('exit_zone');
  }

  /** Stays in the exit zone (true) or walks off from it (false). */
  linger(on = true): this {
    this.#lingering = on;
    if (!on && this.#place === 'exit_zone') this.#until = this.#crowd.clock.monotonic() + this.#crowd.timing.clearMs;
    return this;
  }

  /** Changes its mind at once: back out through the entry door (when open) and away; resolves when gone. */
  backOut(): Promise<void> {
    this.#plan = ['away'];
    if (this.#place === 'approach') this.#until = this.#crowd.clock.monotonic() + this.#crowd.timing.clearMs;
    return this.#reach('gone');
  }

  /** Walks away from the approach (abandoning) or the exit zone; resolves when gone. */
  leave(): Promise<void> {
    if (this.#place === 'approach' || this.#place === 'exit_zone') {
      this.#plan = ['away'];
      this.#lingering = false;
      this.#until = this.#crowd.clock.monotonic() + this.#crowd.timing.clearMs;
    } else {
      this.#plan.push('away');
    }
    return this.#reach('gone');
  }

  /** The compliant traveller: arrive, enter when allowed, exit when allowed, walk off. */
  walkThrough(): Promise<void> {
    if (this.#place === 'away') this.arrive();
    void this.enterMantrap();
    void this.exit();
    return this.#reach('gone');
  }

  /** Resolves once the person is at `place` (immediately if already there). */
  #reach(place: PersonPlace): Promise<void> {
    if (this.#place === place) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ place, resolve }));
  }

  #set(place: PersonPlace): void {
    this.#place = place;
    if (this.#plan[0] === place) this.#plan.shift();
    for (let i = this.#waiters.length - 1; i >= 0; i--) {
      const w = this.#waiters[i]!;
      if (w.place === place) {
        this.#waiters.splice(i, 1);
        w.resolve();
      }
    }
  }

  /** One step of the walk; `now` is Clock.monotonic(). */
  tick(now: number, doors: { entry: Leaf; exit: Leaf }): void {
    const { passMs, clearMs } = this.#crowd.timing;
    const free = (d: PersonPlace): boolean => !this.#crowd.people.some((p) => p !== this && p.#place === d);
    switch (this.#place) {
      case 'approach':
        if (this.#goal === 'mantrap' && doors.entry.open && free('entry_doorway')) this.#enter('entry_doorway', now + passMs, false);
        else if (this.#goal === 'away' && now >= this.#until) this.#set('gone');
        break;
      case 'entry_doorway':
        if (now < this.#until) break;
        if (this.#outward) this.#until = now + clearMs;
        this.#set(this.#outward ? 'approach' : 'mantrap');
        break;
      case 'mantrap':
        if (this.#goal === 'exit_zone' && doors.exit.open && free('exit_doorway')) this.#enter('exit_doorway', now + passMs, false);
        else if (this.#goal === 'away' && doors.entry.open && free('entry_doorway')) this.#enter('entry_doorway', now + passMs, true);
        break;
      case 'exit_doorway':
        if (now >= this.#until) {
          this.#set('exit_zone');
          this.#until = now + clearMs;
        }
        break;
      case 'exit_zone':
        if (!this.#lingering && now >= this.#until) this.#set('gone');
        break;
      default:
        break;
    }
  }

  #enter(doorway: PersonPlace, until: number, outward: boolean): void {
    this.#outward = outward;
    this.#until = until;
    this.#set(doorway);
  }
}

/** The people in and around one pedestrian e-Channel, and what its sensors see of them. */
export class Crowd {
  readonly clock: Clock;
  readonly timing: CrowdTiming;
  readonly people: SimPerson[] = [];
  #next = 1;

  constructor(clock: Clock, timing: CrowdTiming) {
    this.clock = clock;
    this.timing = timing;
  }

  /** A new person, 'away' until told to arrive. */
  person(id = `traveller-${this.#next++}`): SimPerson {
    const p = new SimPerson(id, this);
    this.people.push(p);
    return p;
  }

  tick(doors: { entry: Leaf; exit: Leaf }): void {
    const now = this.clock.monotonic();
    for (const p of this.people) p.tick(now, doors);
    for (let i = this.people.length - 1; i >= 0; i--) if (this.people[i]!.place === 'gone') this.people.splice(i, 1);
  }

  count(place: PersonPlace): number {
    return this.people.filter((p) => p.place === place).length;
  }
}
