import { createPrinter } from '../../drivers/printer/index.ts';
import type { DeviceHealth } from '../control-types.ts';
import type { JournalEventType } from '../crossing/facts.ts';
import { enrolmentIndexKey, enrolmentSubFor } from '../express/enrolment-index.ts';
import { createExpressParts, type ExpressParts } from '../express/parts.ts';
import type { ReceiptPrinter } from '../../drivers/printer/interface.ts';
import type { KioskApp, KioskParts, KioskProfile } from '../seat/kiosk-profile.ts';
import { captureAgainstChip } from './live-capture.ts';
import { RegistrationKiosk } from './registration-kiosk.ts';
import type { RegistrationState } from './registration-machine.ts';

/** States in which a visitor's passport, consent or enrolment is under way: no mode change, no inactivity reset. */
const BUSY: readonly RegistrationState[] = ['checkingDocument', 'consent', 'capturing', 'retry', 'enrolling', 'printing'];
/** Never cut an enrolment or its slip short: the store write and the print finish, then the result screen times out. */
const NO_RESET: readonly RegistrationState[] = ['enrolling', 'printing'];

/**
 * The `registration` profile on the kiosk host (issue 14 §3): the Express lane's passport
 * readers and document check (BAC/PACE, Passive Authentication, eligible states; config
 * `passport`, simulated or PC/SC chip reader), the receipt printer (`printer`), and the host's
 * camera, face engine, journal and reference store. Enrolments go into that store under the
 * passport's enrolment reference (kiosk/express/enrolment-index.ts), which an Express lane
 * sharing the store key finds again from the MRZ.
 */
export const registrationProfile: KioskProfile = { name: 'registration', build: (parts) => buildRegistration(parts) };

/** The app with its own parts in view, for the simulated world and the tests (the host uses only KioskApp). */
export interface RegistrationApp extends KioskApp {
  kiosk: RegistrationKiosk;
  express: ExpressParts;
  printer: ReceiptPrinter;
}

export async function buildRegistration(parts: KioskParts): Promise<RegistrationApp> {
  const { config, clock } = parts;
  const log = parts.log.child({ part: 'registration' });
  const cfg = config.registration;
  const express = await createExpressParts(config, { clock, log, engine: parts.engine, pseudonym: (v) => parts.pseudonym(v) });
  const printer = createPrinter(config.printer, { clock, log });
  const indexKey = enrolmentIndexKey(config.enrolment.keyPath);
  const health: Record<string, DeviceHealth> = { mrz_reader: { healthy: true }, printer: { healthy: true } };
  const kiosk = new RegistrationKiosk(
    {
      checkDocument: (mrz) => express.checkDocument('passport', [...mrz]),
      captureAndVerify: (reference, guide) =>
        captureAgainstChip({ engine: parts.engine, nextFrame: () => parts.camera.nextFrame(cfg.frameTimeoutMs), frames: cfg.framesPerCapture }, reference as never, guide),
      store: parts.references,
      enrolmentSub: (mrz) => enrolmentSubFor(indexKey, mrz),
      printer,
      // enrolment_created and registration_refused are journal event types (kiosk/journal/event-types.ts)
      journal: (event, data) => parts.journal(event as unknown as JournalEventType, data),
      clock,
      kiosk: config.gate,
    },
    { maxAttempts: cfg.maxAttempts, resultMs: cfg.resultMs },
  );
  const state = (): RegistrationState => kiosk.actor.getSnapshot().value as RegistrationState;
  const offs: (() => void)[] = [];
  return {
    kiosk,
    express,
    printer,
    screen: () => kiosk.screen(),
    on: (e, fn) => kiosk.on(e, fn),
    act: (a) => kiosk.act(a),
    reset: () => {
      if (!NO_RESET.includes(state())) kiosk.reset();
    },
    async start() {
      await printer.open().catch((err: { code?: string }) => (health.printer = { healthy: false, code: err.code ?? 'PRINTER_OPEN' }));
      offs.push(express.mrzReader.on('fault', (e) => void (health.mrz_reader = { healthy: false, code: e.code })));
      offs.push(express.mrzReader.on('recovered', () => void (health.mrz_reader = { healthy: true })));
      offs.push(express.mrzReader.on('mrz', (r) => kiosk.passportRead(r.lines)));
      offs.push(express.mrzReader.on('error', (e) => log.info({ code: e.code }, 'MRZ refused')));
      await express.chipReader.start();
      await express.mrzReader.start();
    },
    async stop() {
      for (const off of offs.splice(0)) off();
      kiosk.reset();
      kiosk.actor.stop();
      await express.mrzReader.stop();
      await express.chipReader.close();
      await printer.close();
    },
    devices: () => ({ ...health }),
    busy: () => BUSY.includes(state()),
  };
}
