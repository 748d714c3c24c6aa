import type { JournalEventType } from '../crossing/facts.ts';
import { officerRoutes } from '../display/officer-routes.ts';
import type { KioskProfile } from '../seat/kiosk-profile.ts';
import { createCounterParts } from './counter-parts.ts';

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
    return {
      screen: () => counter.station.screen(),
      on: (e, fn) => counter.station.on(e, fn),
      act: () => {},
      reset: () => {
        // inactivity never drops a visitor the officer is deciding on
        if (step() !== 'review' && step() !== 'checking' && step() !== 'capturing') counter.station.reset();
      },
      start: () => counter.start(),
      stop: () => counter.stop(),
      devices: () => counter.health(),
      busy: () => ['checking', 'capturing', 'review'].includes(step()),
      routes: (req, res) => routes.handle(req, res),
    };
  },
};
