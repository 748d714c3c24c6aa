import { join } from 'node:path';
import { SystemClock, type Clock, type TimerHandle } from '../../kiosk/clock.ts';
import type { Logger } from '../../kiosk/log.ts';
import { SimGate } from './sim-gate.ts';

export interface FleetOptions {
  dir: string;
  url: string;
  /** Gate ids `${site}-${kind}-${nn}`, `perSite` to a control point (sites LMC, SZB, HZM, …). */
  gates: number;
  perSite: number;
  /** Index of the first gate (several fleet processes split one world). */
  first?: number;
  crossingsPerHour: number;
  log: Logger;
  centralKeyPem?: string;
  sync?: Record<string, unknown>;
}

/** A clock that can be set back: the journal stamps events an hour ago when filling a backlog. */
export class ShiftedClock extends SystemClock implements Clock {
  offsetMs = 0;
  override now(): number {
    return Date.now() + this.offsetMs;
  }
}

/** Id letter and profile of the n-th gate of ten: Express e-Channels, pedestrian and vehicle lanes, a kiosk (the fleet's mix). */
const KINDS: [string, string][] = [
  ['E', 'express'], ['E', 'express'], ['E', 'express'], ['A', 'pedestrian'], ['A', 'pedestrian'],
  ['A', 'pedestrian'], ['A', 'pedestrian'], ['V', 'vehicle'], ['V', 'vehicle'], ['K', 'registration'],
];

const SITES = ['LMC', 'SZB', 'HZM', 'LWS', 'MKT', 'STK', 'CKS', 'HYW', 'KTF', 'TST', 'AIR', 'XRL', 'MCF', 'CKT', 'HKMB'];

export function siteOf(index: number, perSite: number): string {
  return SITES[Math.floor(index / perSite) % SITES.length]!;
}

/**
 * The simulated world: many SimGates (each the gate's real journal and real central link)
 * crossing at a steady rate with random phases. A control point can be held offline: its
 * gates journal an hour of crossings without a link, then connect and catch up.
 */
export class Fleet {
  readonly gates: SimGate[] = [];
  readonly clock = new ShiftedClock();
  readonly #o: FleetOptions;
  #timers: TimerHandle[] = [];

  constructor(o: FleetOptions) {
    this.#o = o;
    const first = o.first ?? 0;
    for (let i = first; i < first + o.gates; i++) {
      const site = siteOf(i, o.perSite);
      const [kind, profile] = KINDS[i % 10]!;
      const id = `${site}-${kind}-${String(i % o.perSite).padStart(3, '0')}`;
      this.gates.push(
        new SimGate({ dir: join(o.dir, id), site, gate: id, url: o.url, clock: this.clock, log: o.log, profile, ...(o.centralKeyPem ? { centralKeyPem: o.centralKeyPem } : {}), ...(o.sync ? { sync: o.sync } : {}) }),
      );
    }
  }

  /** Journals `hours` of crossings (4 events each) stamped over the past hours, without sending them. */
  fillBacklog(gates: SimGate[], hours: number): number {
    const per = Math.round(this.#o.crossingsPerHour * hours);
    let events = 0;
    const start = Date.now() - hours * 3_600_000;
    for (const g of gates) {
      const tx = g.journalStore.db.transaction(() => {
        for (let k = 0; k < per; k++) {
          this.clock.offsetMs = start + (k * hours * 3_600_000) / per - Date.now();
          g.crossing();
        }
      });
      tx();
      events += per * 4;
    }
    this.clock.offsetMs = 0;
    return events;
  }

  /** Starts the links of `gates` and their crossings at the configured rate. */
  start(gates: SimGate[] = this.gates): void {
    const every = 3_600_000 / this.#o.crossingsPerHour;
    for (const g of gates) {
      g.start();
      const phase = Math.random() * every;
      this.#timers.push(this.clock.setTimeout(() => this.#timers.push(this.clock.setInterval(() => g.crossing(), every)), phase));
    }
  }

  backlog(): number {
    return this.gates.reduce((n, g) => n + g.journalStore.undeliveredCount(), 0);
  }

  async stop(): Promise<void> {
    for (const t of this.#timers) (this.clock.clearTimeout(t), this.clock.clearInterval(t));
    await Promise.all(this.gates.map((g) => g.stop().catch(() => {})));
  }
}
