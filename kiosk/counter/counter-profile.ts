import type { JournalEventType } from '../crossing/facts.ts';
import { officerRoutes } from '../display/officer-routes.ts';
import type { KioskApp, KioskProfile } from '../seat/kiosk-profile.ts';
import { loadCentralKey } from '../sync/central-key.ts';
import type { SyncHandle } from '../sync/attach.ts';
import { ArrivalSync } from './arrival-sync.ts';
import { createCounterParts } from './counter-parts.ts';

/** How often the counter offers its arrival records to central, and how long it waits for the signed receipt. */
const ARRIVAL_ROUND_MS = 60_000;
const ARRIVAL_ACK_MS = 30_000;

/** The counter's app: a kiosk app that also hands its arrival records to central once the seat's sync link runs. */
export interface CounterApp extends KioskApp {
  /** Called by the seat after startSync: arrival records then go over that link (kiosk/counter/arrival-sync.ts). */
  attachSync(sync: SyncHandle): void;
}

/**
 * The `counter` profile on the kiosk host: the visitor's small screen is the host's touch
 * page (no buttons: the officer decides), the officer page is an extra route on the same
 * server (the display host: 127.0.0.1 unless configured), the passport readers are the
 * Express lane's, the camera and face engine the host's.
 */
export const counterProfile: KioskProfile = {
  name: 'counter',
  async build(parts) {
    const counter = await createCounterParts(parts.config, {
      clock: parts.clock,
      log: parts.log.child({ part: 'counter' }),
      engine: parts.engine,
      camera: parts.camera,
      // officer_action and counter_case are journal event types (kiosk/journal/event-types.ts)
      journal: { append: (type, data) => parts.journal(type as unknown as JournalEventType, data), pseudonym: (v) => parts.pseudonym(v) },
    });
    const routes = officerRoutes(counter.station, counter.desk);
    const step = (): string => counter.station.view().step;
    let arrivals: ArrivalSync | undefined;
    const app: CounterApp = {
      attachSync(sync) {
        const c = parts.config.counter;
        const log = parts.log.child({ part: 'arrivals' });
        const arrivalKey = loadCentralKey(c.centralArrivalKeyPath);
        const ackKey = loadCentralKey(parts.config.sync.centralKeyPath);
        // without either key nothing leaves and nothing is deleted early: the records wait (sealed) until their life ends
        if (!arrivalKey || !ackKey) return log.error({ arrivalKey: !!arrivalKey, centralKey: !!ackKey }, 'arrival records not collected: central arrival key or central key missing');
        arrivals = new ArrivalSync({ link: sync.sync.link, topics: sync.sync.topics, store: counter.records, gate: parts.config.gate, arrivalKey, ackKey, clock: parts.clock, log, intervalMs: ARRIVAL_ROUND_MS, ackTimeoutMs: ARRIVAL_ACK_MS });
        // a decision sealed a record: offer it now rather than at the next round
        counter.station.onCase((k) => void ((k.step === 'accepted' || k.step === 'referred') && arrivals?.kick()));
        arrivals.start();
      },
      screen: () => counter.station.screen(),
      on: (e, fn) => counter.station.on(e, fn),
      act: () => {},
      reset: () => {
        // inactivity never drops a visitor the officer is deciding on
        if (step() !== 'review' && step() !== 'checking' && step() !== 'capturing') counter.station.reset();
      },
      start: () => counter.start(),
      stop: async () => {
        arrivals?.stop();
        await counter.stop();
      },
      devices: () => counter.health(),
      busy: () => ['checking', 'capturing', 'review'].includes(step()),
      routes: (req, res) => routes.handle(req, res),
    };
    return app;
  },
};
